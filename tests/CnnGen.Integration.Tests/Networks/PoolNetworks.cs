using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests.Networks;

// Pooling: default stride (= size), overlapping windows (stride < size), gaps (stride > size),
// a floored output size, and windows too large to unroll (9×9 = 81 pixels).

[Network, Input(3, 8, 6), MaxPool2D(2)]
internal partial class MaxPool2;

[Network, Input(2, 9, 7), MaxPool2D(3, Stride = 2)]
internal partial class MaxPool3S2;

[Network, Input(1, 8, 5), MaxPool2D(2, Stride = 3)]
internal partial class MaxPool2S3;

// 7 and 11 do not divide by 3: PyTorch floors to 2 × 3 and ignores the last rows and columns.
// This pragma doubles as the regression test that generator diagnostics honour suppression: without it the
// build fails, since warnings are errors.
#pragma warning disable CNN0002
[Network, Input(1, 7, 11), MaxPool2D(3)]
internal partial class MaxPool3Floored;
#pragma warning restore CNN0002

[Network, Input(2, 9, 18), MaxPool2D(9)]
internal partial class MaxPool9;

[Network, Input(5, 6, 4), AvgPool2D(2)]
internal partial class AvgPool2;

[Network, Input(1, 5, 7), AvgPool2D(3, Stride = 1)]
internal partial class AvgPool3S1;

[Network, Input(2, 8, 8), AvgPool2D(2, Stride = 3)]
internal partial class AvgPool2S3;

[Network, Input(1, 9, 18), AvgPool2D(9)]
internal partial class AvgPool9;

// Padding: −∞ for max pooling, zeros counted for average pooling (PyTorch's defaults). Inception's 3×3 stride 1
// pad 1, ResNet's stem pooling (3×3 stride 2 pad 1, on an even size floored losing only padding), and a window
// too large to unroll.
[Network, Input(2, 6, 7), MaxPool2D(3, Stride = 1, Padding = 1)]
internal partial class MaxPool3S1P1;

[Network, Input(2, 8, 8), MaxPool2D(3, Stride = 2, Padding = 1)]
internal partial class MaxPool3S2P1;

[Network, Input(3, 5, 6), AvgPool2D(3, Stride = 1, Padding = 1)]
internal partial class AvgPool3S1P1;

[Network, Input(1, 9, 10), MaxPool2D(11, Stride = 3, Padding = 5)]
internal partial class MaxPool11P5;

internal static class PoolNetworks
{
    public static IEnumerable<NetworkCase> Cases =>
    [
        new("MaxPool2", () => new MaxPool2(), new(new(3, 8, 6), PoolOracle.Max(2))),
        new("MaxPool3S2", () => new MaxPool3S2(), new(new(2, 9, 7), PoolOracle.Max(3, stride: 2))),
        new("MaxPool2S3", () => new MaxPool2S3(), new(new(1, 8, 5), PoolOracle.Max(2, stride: 3))),
        new("MaxPool3Floored", () => new MaxPool3Floored(), new(new(1, 7, 11), PoolOracle.Max(3))),
        new("MaxPool9", () => new MaxPool9(), new(new(2, 9, 18), PoolOracle.Max(9))),
        new("AvgPool2", () => new AvgPool2(), new(new(5, 6, 4), PoolOracle.Average(2))),
        new("AvgPool3S1", () => new AvgPool3S1(), new(new(1, 5, 7), PoolOracle.Average(3, stride: 1))),
        new("AvgPool2S3", () => new AvgPool2S3(), new(new(2, 8, 8), PoolOracle.Average(2, stride: 3))),
        new("AvgPool9", () => new AvgPool9(), new(new(1, 9, 18), PoolOracle.Average(9))),
        new("MaxPool3S1P1", () => new MaxPool3S1P1(), new(new(2, 6, 7), PoolOracle.Max(3, stride: 1, padding: 1))),
        new("MaxPool3S2P1", () => new MaxPool3S2P1(), new(new(2, 8, 8), PoolOracle.Max(3, stride: 2, padding: 1))),
        new("AvgPool3S1P1", () => new AvgPool3S1P1(), new(new(3, 5, 6), PoolOracle.Average(3, stride: 1, padding: 1))),
        new("MaxPool11P5", () => new MaxPool11P5(), new(new(1, 9, 10), PoolOracle.Max(11, stride: 3, padding: 5))),
    ];
}
