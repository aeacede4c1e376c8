using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests.Networks;

/// <summary>LeNet-5 (LeCun et al. 1998) with ReLU and max pooling, as most modern reproductions.</summary>
[Network]
[Input(1, 32, 32)]
[Conv2D(6, 5), Relu, MaxPool2D(2)]
[Conv2D(16, 5), Relu, MaxPool2D(2)]
[Flatten]
[Dense(120), Relu, Dense(84), Relu, Dense(10)]
internal partial class LeNet5;

/// <summary>The seed's 2-conv Fashion-MNIST network.</summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(32, 5, Padding = 2), Relu, MaxPool2D(2)]
[Conv2D(64, 5, Padding = 2), Relu, MaxPool2D(2)]
[Flatten, Dropout(0.5)]
[Dense(1000), Dense(10)]
internal partial class FashionNet;

internal static class ReferenceNetworks
{
    public static OracleNetwork LeNet5Oracle { get; } = new(
        new(1, 32, 32),
        ConvOracle.Explicit(6, 5, 5), ActivationOracle.Relu, PoolOracle.Max(2),
        ConvOracle.Explicit(16, 5, 5), ActivationOracle.Relu, PoolOracle.Max(2),
        new FlattenOracle(),
        new DenseOracle(120), ActivationOracle.Relu, new DenseOracle(84), ActivationOracle.Relu, new DenseOracle(10));

    public static OracleNetwork FashionNetOracle { get; } = new(
        new(1, 28, 28),
        ConvOracle.Explicit(32, 5, 5, padding: 2), ActivationOracle.Relu, PoolOracle.Max(2),
        ConvOracle.Explicit(64, 5, 5, padding: 2), ActivationOracle.Relu, PoolOracle.Max(2),
        new FlattenOracle(), new DropoutOracle(),
        new DenseOracle(1000), new DenseOracle(10));

    public static IEnumerable<NetworkCase> Cases =>
    [
        new("LeNet5", () => new LeNet5(), LeNet5Oracle),
        new("FashionNet", () => new FashionNet(), FashionNetOracle) { HasDropout = true },
    ];
}
