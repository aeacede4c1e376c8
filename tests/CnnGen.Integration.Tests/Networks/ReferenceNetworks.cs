using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests.Networks;

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
        new("FashionNet", () => new FashionNet(), FashionNetOracle) { OracleIsInferenceOnly = true },
    ];
}
