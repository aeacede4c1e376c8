using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests.Networks;

// One network per convolution configuration: strides 1–3 (also per axis), paddings 0–2, "same"
// (odd total padding puts the extra row/column after) and "valid", dilations 1–2, odd sizes,
// non-square kernels, channel counts 1, 2, 3, 5, 8. Every output size divides evenly (CNN0001).

[Network, Input(1, 7, 9), Conv2D(2, 3)]
internal partial class ConvK3;

[Network, Input(3, 9, 7), Conv2D(4, 3, Stride = 2, Padding = 1, Dilation = 2)]
internal partial class ConvS2P1D2;

[Network, Input(1, 7, 9), Conv2D(2, 3, Stride = 2, Padding = 2, Dilation = 2)]
internal partial class ConvS2P2D2;

[Network, Input(2, 9, 9), Conv2D(1, 3, Stride = 2)]
internal partial class ConvS2P0;

[Network, Input(2, 11, 5), Conv2D(5, 3, Stride = 3, Padding = 2)]
internal partial class ConvS3P2;

[Network, Input(3, 7, 9), Conv2D(8, 3, 2, StrideHeight = 2, StrideWidth = 1)]
internal partial class ConvK3x2S2x1;

[Network, Input(5, 6, 11), Conv2D(3, 2, 4, StrideWidth = 3, Padding = 1)]
internal partial class ConvK2x4S1x3P1;

[Network, Input(1, 9, 11), Conv2D(2, 3, StrideHeight = 3, StrideWidth = 2)]
internal partial class ConvS3x2;

[Network, Input(2, 6, 7), Conv2D(3, 4, PaddingMode = PaddingMode.Same)]
internal partial class ConvSameK4;

[Network, Input(1, 5, 8), Conv2D(2, 2, 3, PaddingMode = PaddingMode.Same)]
internal partial class ConvSameK2x3;

[Network, Input(3, 7, 9), Conv2D(2, 3, PaddingMode = PaddingMode.Same, Dilation = 2)]
internal partial class ConvSameK3D2;

[Network, Input(5, 8, 8), Conv2D(3, 5, PaddingMode = PaddingMode.Valid)]
internal partial class ConvValidK5;

[Network, Input(8, 3, 5), Conv2D(5, 1)]
internal partial class ConvK1;

[Network, Input(2, 5, 5), Conv2D(3, 3, Padding = 2, Dilation = 2)]
internal partial class ConvP2D2;

// A one-row input: the top and bottom kernel rows only ever read padding.
[Network, Input(2, 1, 5), Conv2D(3, 3, Padding = 1)]
internal partial class ConvPaddingOnlyTaps;

// Deep and wide enough that inference runs ImplicitConvolution (≥ 16 output channels, a kernel row
// KW·C_in ≥ 32 deep, or C_in ≥ 32 when dilated): padding, "same", stride, dilation, ragged panels.
// With stride 1 and ≥ 16 input channels backward runs it too, for the input gradient (K3, SameK4, D2;
// D2's inference, dilated with 16 input channels, runs DirectConvolution).
[Network, Input(16, 9, 11), Conv2D(24, 3, Padding = 1)]
internal partial class ConvInPlaceK3;

[Network, Input(32, 13, 11), Conv2D(20, 3, Stride = 2, Padding = 2, Dilation = 2)]
internal partial class ConvInPlaceS2D2;

[Network, Input(16, 7, 9), Conv2D(16, 4, PaddingMode = PaddingMode.Same)]
internal partial class ConvInPlaceSameK4;

[Network, Input(16, 10, 9), Conv2D(32, 3, Padding = 1, Dilation = 2)]
internal partial class ConvGradientInPlaceD2;

[Network, Input(12, 8, 15), Conv2D(40, 3, 5, StrideWidth = 2, Padding = 1)]
internal partial class ConvInPlaceK3x5S1x2;

// Training runs the implicit GEMM too: its weight gradient reads the bordered input the forward kept.
// Stride 2 (input gradient through col2im), and small enough for the finite-difference check.
[Network, Input(16, 9, 11), Conv2D(16, 3, Stride = 2, Padding = 1)]
internal partial class ConvInPlaceS2;

// Shallow kernel rows (KW·C_in < 32) but a patch C_in·KH·KW ≥ 64, with ≥ 16 output channels: inference
// runs DirectConvolution.
// Stride 2 with padding and dilation (a zero border); asymmetric "same" padding of a non-square kernel;
// 40 channels (a group of two AVX-512 vectors, then one), no padding (the input read in place).
[Network, Input(8, 13, 11), Conv2D(16, 3, Stride = 2, Padding = 2, Dilation = 2)]
internal partial class ConvDirectS2P2D2;

[Network, Input(7, 9, 10), Conv2D(24, 4, 3, PaddingMode = PaddingMode.Same)]
internal partial class ConvDirectSameK4x3;

[Network, Input(6, 9, 9), Conv2D(40, 4, 3, StrideHeight = 1, StrideWidth = 2)]
internal partial class ConvDirectS1x2;

// Fewer than 16 output channels, horizontal stride 1, rows filling ≥ 75 % of their 16-lane vectors:
// inference runs RowConvolution. Rows of 30 (two vectors, 2 lanes over) with vertical stride 2, padding and
// dilation; rows of 13 (one vector) with asymmetric "same" padding and 9 channels (a tile of 8, then 1).
[Network, Input(2, 15, 30), Conv2D(5, 3, StrideHeight = 2, StrideWidth = 1, Padding = 2, Dilation = 2)]
internal partial class ConvRowS2x1P2D2;

[Network, Input(3, 6, 13), Conv2D(9, 3, 5, PaddingMode = PaddingMode.Same)]
internal partial class ConvRowSameK3x5;

internal static class ConvNetworks
{
    public static IEnumerable<NetworkCase> Cases =>
    [
        new("ConvK3", () => new ConvK3(), new(new(1, 7, 9), ConvOracle.Explicit(2, 3, 3))),
        new("ConvS2P1D2", () => new ConvS2P1D2(), new(new(3, 9, 7), ConvOracle.Explicit(4, 3, 3, strideHeight: 2, strideWidth: 2, padding: 1, dilation: 2))),
        new("ConvS2P2D2", () => new ConvS2P2D2(), new(new(1, 7, 9), ConvOracle.Explicit(2, 3, 3, strideHeight: 2, strideWidth: 2, padding: 2, dilation: 2))),
        new("ConvS2P0", () => new ConvS2P0(), new(new(2, 9, 9), ConvOracle.Explicit(1, 3, 3, strideHeight: 2, strideWidth: 2))),
        new("ConvS3P2", () => new ConvS3P2(), new(new(2, 11, 5), ConvOracle.Explicit(5, 3, 3, strideHeight: 3, strideWidth: 3, padding: 2))),
        new("ConvK3x2S2x1", () => new ConvK3x2S2x1(), new(new(3, 7, 9), ConvOracle.Explicit(8, 3, 2, strideHeight: 2, strideWidth: 1))),
        new("ConvK2x4S1x3P1", () => new ConvK2x4S1x3P1(), new(new(5, 6, 11), ConvOracle.Explicit(3, 2, 4, strideHeight: 1, strideWidth: 3, padding: 1))),
        new("ConvS3x2", () => new ConvS3x2(), new(new(1, 9, 11), ConvOracle.Explicit(2, 3, 3, strideHeight: 3, strideWidth: 2))),
        new("ConvSameK4", () => new ConvSameK4(), new(new(2, 6, 7), ConvOracle.Same(3, 4, 4))),
        new("ConvSameK2x3", () => new ConvSameK2x3(), new(new(1, 5, 8), ConvOracle.Same(2, 2, 3))),
        new("ConvSameK3D2", () => new ConvSameK3D2(), new(new(3, 7, 9), ConvOracle.Same(2, 3, 3, dilation: 2))),
        new("ConvValidK5", () => new ConvValidK5(), new(new(5, 8, 8), ConvOracle.Explicit(3, 5, 5))),
        new("ConvK1", () => new ConvK1(), new(new(8, 3, 5), ConvOracle.Explicit(5, 1, 1))),
        new("ConvP2D2", () => new ConvP2D2(), new(new(2, 5, 5), ConvOracle.Explicit(3, 3, 3, padding: 2, dilation: 2))),
        new("ConvPaddingOnlyTaps", () => new ConvPaddingOnlyTaps(), new(new(2, 1, 5), ConvOracle.Explicit(3, 3, 3, padding: 1))),
        new("ConvInPlaceK3", () => new ConvInPlaceK3(), new(new(16, 9, 11), ConvOracle.Explicit(24, 3, 3, padding: 1))),
        new("ConvInPlaceS2D2", () => new ConvInPlaceS2D2(), new(new(32, 13, 11), ConvOracle.Explicit(20, 3, 3, strideHeight: 2, strideWidth: 2, padding: 2, dilation: 2))),
        new("ConvInPlaceSameK4", () => new ConvInPlaceSameK4(), new(new(16, 7, 9), ConvOracle.Same(16, 4, 4))),
        new("ConvGradientInPlaceD2", () => new ConvGradientInPlaceD2(), new(new(16, 10, 9), ConvOracle.Explicit(32, 3, 3, padding: 1, dilation: 2))),
        new("ConvInPlaceK3x5S1x2", () => new ConvInPlaceK3x5S1x2(), new(new(12, 8, 15), ConvOracle.Explicit(40, 3, 5, strideHeight: 1, strideWidth: 2, padding: 1))),
        new("ConvInPlaceS2", () => new ConvInPlaceS2(), new(new(16, 9, 11), ConvOracle.Explicit(16, 3, 3, strideHeight: 2, strideWidth: 2, padding: 1))),
        new("ConvDirectS2P2D2", () => new ConvDirectS2P2D2(), new(new(8, 13, 11), ConvOracle.Explicit(16, 3, 3, strideHeight: 2, strideWidth: 2, padding: 2, dilation: 2))),
        new("ConvDirectSameK4x3", () => new ConvDirectSameK4x3(), new(new(7, 9, 10), ConvOracle.Same(24, 4, 3))),
        new("ConvDirectS1x2", () => new ConvDirectS1x2(), new(new(6, 9, 9), ConvOracle.Explicit(40, 4, 3, strideHeight: 1, strideWidth: 2))),
        new("ConvRowS2x1P2D2", () => new ConvRowS2x1P2D2(), new(new(2, 15, 30), ConvOracle.Explicit(5, 3, 3, strideHeight: 2, strideWidth: 1, padding: 2, dilation: 2))),
        new("ConvRowSameK3x5", () => new ConvRowSameK3x5(), new(new(3, 6, 13), ConvOracle.Same(9, 3, 5))),
    ];
}
