namespace CnnGen;

/// <summary>How a convolution pads its input.</summary>
public enum PaddingMode
{
    /// <summary>Use <see cref="Conv2DAttribute.Padding"/> (0 unless set): PyTorch's integer padding.</summary>
    Explicit = 0,

    /// <summary>No padding (the same as <c>Padding = 0</c>): PyTorch's <c>padding="valid"</c>.</summary>
    Valid = 1,

    /// <summary>
    /// Pad so the output has the input's size: PyTorch's <c>padding="same"</c>. Requires stride 1;
    /// when the total padding <c>Dilation·(Kernel − 1)</c> is odd the extra row/column goes after, as in PyTorch.
    /// </summary>
    Same = 2,
}
