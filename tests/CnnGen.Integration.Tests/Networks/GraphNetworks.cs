using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests.Networks;

// Graphs written as stacks with named tensors: a residual network with a projection shortcut, an
// Inception-like block whose towers all read the input, and a tensor read by three layers. The oracle
// resolves the names on its own, and the backward tests difference through every path, so a gradient
// that is overwritten instead of summed fails them.

[Network]
[Input(2, 9, 9)]
[Conv2D(4, 3, Padding = 1), Relu(Name = "stem")]
[Conv2D(4, 3, Padding = 1, Bias = false), Relu]
[Conv2D(4, 3, Padding = 1), Add("stem"), Relu(Name = "block1")]
[From("block1"), Conv2D(6, 1, Stride = 2, Bias = false, Name = "shortcut")]
[From("block1"), Conv2D(6, 3, Stride = 2, Padding = 1), Relu]
[Conv2D(6, 3, Padding = 1), Add("shortcut"), Relu]
[GlobalAvgPool2D, Flatten, Dense(3)]
internal partial class ResidualGraph;

[Network]
[Input(3, 7, 7)]
[Conv2D(4, 1, Name = "b1")]
[From("input"), Conv2D(3, 1), Relu, Conv2D(4, 3, Padding = 1, Name = "b2")]
[From("input"), Conv2D(2, 5, Padding = 2, Name = "b3")]
[From("input"), MaxPool2D(3, Stride = 1, Padding = 1), Conv2D(2, 1, Name = "b4")]
[Concat("b1", "b2", "b3", "b4"), Relu, Flatten, Dense(5)]
internal partial class InceptionGraph;

[Network]
[Input(1, 6, 6)]
[Conv2D(3, 3, Padding = 1, Name = "x")]
[Relu, Conv2D(3, 3, Padding = 1, Name = "y")]
[From("x"), Tanh, Add("y")]
[Concat("x"), Flatten, Dense(4, Bias = false)]
internal partial class ThreeReaders;

// A small residual network with BatchNorm (its training mode: BatchNormTests).
[Network]
[Input(2, 6, 6)]
[Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm2D, Relu(Name = "stem")]
[Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm2D, Add("stem"), Relu]
[GlobalAvgPool2D, Flatten, Dense(3)]
internal partial class BatchNormGraph;

internal static class GraphNetworks
{
    public static IEnumerable<NetworkCase> Cases =>
    [
        new("ResidualGraph", () => new ResidualGraph(), new(
            new(2, 9, 9),
            ConvOracle.Explicit(4, 3, 3, padding: 1), new NamedOracle("stem", ActivationOracle.Relu),
            ConvOracle.Explicit(4, 3, 3, padding: 1, bias: false), ActivationOracle.Relu,
            ConvOracle.Explicit(4, 3, 3, padding: 1), new AddOracle("stem"), new NamedOracle("block1", ActivationOracle.Relu),
            new FromOracle("block1"), new NamedOracle("shortcut", ConvOracle.Explicit(6, 1, 1, 2, 2, bias: false)),
            new FromOracle("block1"), ConvOracle.Explicit(6, 3, 3, 2, 2, padding: 1), ActivationOracle.Relu,
            ConvOracle.Explicit(6, 3, 3, padding: 1), new AddOracle("shortcut"), ActivationOracle.Relu,
            new GlobalAveragePoolOracle(), new FlattenOracle(), new DenseOracle(3))),
        new("InceptionGraph", () => new InceptionGraph(), new(
            new(3, 7, 7),
            new NamedOracle("b1", ConvOracle.Explicit(4, 1, 1)),
            new FromOracle("input"), ConvOracle.Explicit(3, 1, 1), ActivationOracle.Relu, new NamedOracle("b2", ConvOracle.Explicit(4, 3, 3, padding: 1)),
            new FromOracle("input"), new NamedOracle("b3", ConvOracle.Explicit(2, 5, 5, padding: 2)),
            new FromOracle("input"), PoolOracle.Max(3, stride: 1, padding: 1), new NamedOracle("b4", ConvOracle.Explicit(2, 1, 1)),
            new ConcatOracle("b1", "b2", "b3", "b4"), ActivationOracle.Relu, new FlattenOracle(), new DenseOracle(5))),
        new("ThreeReaders", () => new ThreeReaders(), new(
            new(1, 6, 6),
            new NamedOracle("x", ConvOracle.Explicit(3, 3, 3, padding: 1)),
            ActivationOracle.Relu, new NamedOracle("y", ConvOracle.Explicit(3, 3, 3, padding: 1)),
            new FromOracle("x"), ActivationOracle.Tanh, new AddOracle("y"),
            new ConcatOracle("x"), new FlattenOracle(), new DenseOracle(4, bias: false))),
        new("BatchNormGraph", () => new BatchNormGraph(), new(
            new(2, 6, 6),
            ConvOracle.Explicit(4, 3, 3, padding: 1, bias: false), new BatchNormInferenceOracle(), new NamedOracle("stem", ActivationOracle.Relu),
            ConvOracle.Explicit(4, 3, 3, padding: 1, bias: false), new BatchNormInferenceOracle(), new AddOracle("stem"), ActivationOracle.Relu,
            new GlobalAveragePoolOracle(), new FlattenOracle(), new DenseOracle(3))) { OracleIsInferenceOnly = true },
        new("ResNet8", () => new CnnGen.Tests.Networks.ResNet8(), ResNet8Oracle) { OracleIsInferenceOnly = true },
    ];

    /// <summary>ResNet-8 as issue 15 declares it (tests/Shared/ReferenceNetworks.cs), layer by layer.</summary>
    public static OracleNetwork ResNet8Oracle { get; } = new(
        new(1, 28, 28),
        ConvOracle.Explicit(16, 3, 3, padding: 1, bias: false), new BatchNormInferenceOracle(), new NamedOracle("stem", ActivationOracle.Relu),
        ConvOracle.Explicit(16, 3, 3, padding: 1, bias: false), new BatchNormInferenceOracle(), ActivationOracle.Relu,
        ConvOracle.Explicit(16, 3, 3, padding: 1, bias: false), new BatchNormInferenceOracle(), new AddOracle("stem"), new NamedOracle("block1", ActivationOracle.Relu),
        new FromOracle("block1"), ConvOracle.Explicit(32, 1, 1, 2, 2, bias: false), new NamedOracle("shortcut2", new BatchNormInferenceOracle()),
        new FromOracle("block1"), ConvOracle.Explicit(32, 3, 3, 2, 2, padding: 1, bias: false), new BatchNormInferenceOracle(), ActivationOracle.Relu,
        ConvOracle.Explicit(32, 3, 3, padding: 1, bias: false), new BatchNormInferenceOracle(), new AddOracle("shortcut2"), new NamedOracle("block2", ActivationOracle.Relu),
        new FromOracle("block2"), ConvOracle.Explicit(64, 1, 1, 2, 2, bias: false), new NamedOracle("shortcut3", new BatchNormInferenceOracle()),
        new FromOracle("block2"), ConvOracle.Explicit(64, 3, 3, 2, 2, padding: 1, bias: false), new BatchNormInferenceOracle(), ActivationOracle.Relu,
        ConvOracle.Explicit(64, 3, 3, padding: 1, bias: false), new BatchNormInferenceOracle(), new AddOracle("shortcut3"), ActivationOracle.Relu,
        new GlobalAveragePoolOracle(), new FlattenOracle(), new DenseOracle(10));
}
