namespace CnnGen.Integration.Tests.Networks;

// Networks for tests with hand-computed answers; they carry no oracle.

/// <summary>2×2 average pooling of a 4×4 image.</summary>
[Network, Input(1, 4, 4), AvgPool2D(2)]
internal partial class AveragePoolExample;

/// <summary>One 3×3 filter over a 6×6 image (the classic vertical-edge example).</summary>
[Network, Input(1, 6, 6), Conv2D(1, 3)]
internal partial class EdgeFilterExample;

/// <summary>Non-overlapping windows for tie-breaking.</summary>
[Network, Input(1, 4, 4), MaxPool2D(2)]
internal partial class MaxPoolTies;

/// <summary>Overlapping windows (stride 1) for tie-breaking.</summary>
[Network, Input(1, 3, 4), MaxPool2D(2, Stride = 1)]
internal partial class MaxPoolOverlappingTies;

/// <summary>Explicit layer names, which become weight names.</summary>
[Network]
[Input(1, 4, 4)]
[Conv2D(2, 3, Name = "features"), Relu(Name = "rectify")]
[Flatten(Name = "vector"), Dense(3, Name = "classifier")]
internal partial class NamedLayers;
