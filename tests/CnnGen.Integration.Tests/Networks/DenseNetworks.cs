using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests.Networks;

[Network, Input(3, 2, 2), Flatten, Dense(5)]
internal partial class Dense5;

[Network, Input(1, 1, 7), Flatten, Dense(8), Dense(2)]
internal partial class DenseDense;

internal static class DenseNetworks
{
    public static IEnumerable<NetworkCase> Cases =>
    [
        new("Dense5", () => new Dense5(), new(new(3, 2, 2), new FlattenOracle(), new DenseOracle(5))),
        new("DenseDense", () => new DenseDense(), new(new(1, 1, 7), new FlattenOracle(), new DenseOracle(8), new DenseOracle(2))),
    ];
}
