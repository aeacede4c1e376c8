using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests.Networks;

// Dropout is the identity at inference (checked against the oracle with every other network);
// its training behaviour has its own tests in DropoutTests.

[Network, Input(2, 4, 4), Dropout(0.3)]
internal partial class DropoutOnly;

[Network, Input(4, 16, 16), Dropout(0.5)]
internal partial class DropoutHalf;

[Network, Input(2, 3, 3), Flatten, Dense(8), Dropout(0.5), Dense(3)]
internal partial class DenseDropoutDense;

internal static class DropoutNetworks
{
    public static IEnumerable<NetworkCase> Cases =>
    [
        new("DropoutOnly", () => new DropoutOnly(), new(new(2, 4, 4), new DropoutOracle())) { OracleIsInferenceOnly = true },
        new("DenseDropoutDense", () => new DenseDropoutDense(), new(new(2, 3, 3), new FlattenOracle(), new DenseOracle(8), new DropoutOracle(), new DenseOracle(3))) { OracleIsInferenceOnly = true },
    ];
}
