using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests.Networks;

// Matrix sizes that are not multiples of any SIMD width or GEMM tile, so that packing, micro-kernel
// edges and remainder paths all run: conv (19 × 63) = (19 × 72)·(72 × 63); dense 75 → 33 → 19.

[Network, Input(8, 7, 9), Conv2D(19, 3, Padding = 1)]
internal partial class ConvOddGemm;

[Network, Input(3, 5, 5), Flatten, Dense(33), Relu, Dense(19)]
internal partial class DenseOddGemm;

internal static class GemmSizeNetworks
{
    public static IEnumerable<NetworkCase> Cases =>
    [
        new("ConvOddGemm", () => new ConvOddGemm(), new(new(8, 7, 9), ConvOracle.Explicit(19, 3, 3, padding: 1))),
        new("DenseOddGemm", () => new DenseOddGemm(), new(new(3, 5, 5), new FlattenOracle(), new DenseOracle(33), ActivationOracle.Relu, new DenseOracle(19))),
    ];
}
