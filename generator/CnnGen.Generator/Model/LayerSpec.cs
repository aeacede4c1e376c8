namespace CnnGen.Generator.Model;

/// <summary>Padding modes, mirroring <c>CnnGen.PaddingMode</c>.</summary>
internal enum PaddingModeSpec
{
    Explicit = 0,
    Valid = 1,
    Same = 2,
}

/// <summary>
/// One layer attribute as written by the user: kind, name and the raw argument values, unchecked.
/// Fields that a kind does not use stay at their defaults.
/// </summary>
internal sealed record LayerSpec(LayerKind Kind, string Name, bool HasExplicitName)
{
    /// <summary>Conv2D filters or Input channels.</summary>
    public int Channels { get; init; }

    /// <summary>Input height and width.</summary>
    public int Height { get; init; }

    public int Width { get; init; }

    /// <summary>Conv2D kernel height/width; pooling window size (both).</summary>
    public int KernelHeight { get; init; }

    public int KernelWidth { get; init; }

    /// <summary>Stride as written (Conv2D default 1; pooling default 0, meaning the window size).</summary>
    public int Stride { get; init; } = 1;

    /// <summary>Per-axis stride overrides; 0 when not written.</summary>
    public int StrideHeight { get; init; }

    public int StrideWidth { get; init; }

    public int Padding { get; init; }

    public PaddingModeSpec PaddingMode { get; init; }

    public int Dilation { get; init; } = 1;

    /// <summary>Dense units.</summary>
    public int Units { get; init; }

    /// <summary>Dropout probability.</summary>
    public double Probability { get; init; }

    /// <summary>BatchNorm2D: added to the variance under the square root.</summary>
    public double Epsilon { get; init; } = 1e-5;

    /// <summary>BatchNorm2D: the weight of a batch's statistics in the running ones.</summary>
    public double Momentum { get; init; } = 0.1;

    /// <summary><c>Bias = false</c> on Conv2D and Dense drops the bias parameter.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>The tensor names a layer reads: <c>From("x")</c>'s one, <c>Add</c>'s and <c>Concat</c>'s operands.</summary>
    public EquatableArray<string> TensorNames { get; init; } = EquatableArray<string>.Empty;
}

/// <summary>The source location of one attribute argument, keyed by layer index and argument name.</summary>
internal sealed record ArgumentLocation(int LayerIndex, string Argument, LocationInfo Location);

/// <summary>A parsed <c>[Network]</c> class: what to generate, without any location.</summary>
internal sealed record NetworkSpec(string Namespace, string ClassName, EquatableArray<LayerSpec> Layers)
{
    /// <summary><c>[Network(Weights = "...")]</c>: the safetensors file to compile in, if any.</summary>
    public string? WeightsFile { get; init; }

    /// <summary><c>[Network(MaxArenaBytes = ...)]</c>: the inference memory budget; 0 for none.</summary>
    public long MaxArenaBytes { get; init; }
}
