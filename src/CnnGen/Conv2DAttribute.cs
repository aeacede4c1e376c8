using System;

namespace CnnGen;

/// <summary>
/// A 2-D convolution (PyTorch <c>nn.Conv2d</c>) with <see cref="Filters"/> output channels and bias.
/// Output size per axis: <c>((W − D·(F − 1) − 1 + P_before + P_after) / S) + 1</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : LayerAttribute
{
    /// <summary>A convolution with a square <paramref name="kernel"/> × <paramref name="kernel"/> window.</summary>
    public Conv2DAttribute(int filters, int kernel)
        : this(filters, kernel, kernel)
    {
    }

    /// <summary>A convolution with a <paramref name="kernelHeight"/> × <paramref name="kernelWidth"/> window.</summary>
    public Conv2DAttribute(int filters, int kernelHeight, int kernelWidth)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel height.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel width.</summary>
    public int KernelWidth { get; }

    /// <summary>Stride on both axes (default 1).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Vertical stride; overrides <see cref="Stride"/> when set.</summary>
    public int StrideHeight { get; set; }

    /// <summary>Horizontal stride; overrides <see cref="Stride"/> when set.</summary>
    public int StrideWidth { get; set; }

    /// <summary>Zero padding on every side (default 0).</summary>
    public int Padding { get; set; }

    /// <summary>Padding mode: explicit (default), valid or same.</summary>
    public PaddingMode PaddingMode { get; set; }

    /// <summary>Spacing between kernel taps (default 1).</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Whether the layer has a bias (default true); false when a BatchNorm follows, as in ResNet.</summary>
    public bool Bias { get; set; } = true;
}
