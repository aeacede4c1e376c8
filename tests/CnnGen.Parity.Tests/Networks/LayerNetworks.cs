using CnnGen.Runtime;
using T = CnnGen.Parity.Tests.Reference.Layer;

namespace CnnGen.Parity.Tests.Networks;

// One network per layer configuration, each checked against the matching torch.nn module.
// Convolution: strides 1–3 (also per axis), explicit padding 0–2, "same" (odd and even kernels, so
// the asymmetric case where the extra row/column goes after), dilation 1–2, non-square kernels, 1×1.
// Every convolution output size divides evenly (CNN0001).

[Network, Input(2, 7, 9), Conv2D(3, 3)]
internal sealed partial class ConvK3;

[Network, Input(3, 9, 9), Conv2D(4, 3, Stride = 2, Padding = 1)]
internal sealed partial class ConvK3S2P1;

[Network, Input(2, 9, 9), Conv2D(3, 3, Padding = 2, Dilation = 2)]
internal sealed partial class ConvK3P2D2;

[Network, Input(3, 9, 7), Conv2D(4, 3, Stride = 2, Padding = 1, Dilation = 2)]
internal sealed partial class ConvK3S2P1D2;

[Network, Input(2, 11, 5), Conv2D(5, 3, Stride = 3, Padding = 2)]
internal sealed partial class ConvK3S3P2;

[Network, Input(3, 7, 9), Conv2D(5, 3, 2, Padding = 1)]
internal sealed partial class ConvK3x2P1;

[Network, Input(2, 8, 9), Conv2D(4, 2, 4, StrideHeight = 2, StrideWidth = 1)]
internal sealed partial class ConvK2x4S2x1;

[Network, Input(2, 6, 7), Conv2D(3, 3, PaddingMode = PaddingMode.Same)]
internal sealed partial class ConvSameK3;

[Network, Input(2, 6, 7), Conv2D(3, 4, PaddingMode = PaddingMode.Same)]
internal sealed partial class ConvSameK4;

[Network, Input(3, 7, 9), Conv2D(2, 2, 3, PaddingMode = PaddingMode.Same, Dilation = 2)]
internal sealed partial class ConvSameK2x3D2;

[Network, Input(8, 3, 5), Conv2D(5, 1)]
internal sealed partial class ConvK1;

// Pooling: default stride (= size), overlapping windows, gaps between windows, a floored output size.

[Network, Input(3, 8, 6), MaxPool2D(2)]
internal sealed partial class MaxPool2;

[Network, Input(2, 9, 7), MaxPool2D(3, Stride = 2)]
internal sealed partial class MaxPool3S2;

[Network, Input(1, 8, 5), MaxPool2D(2, Stride = 3)]
internal sealed partial class MaxPool2S3;

// 7 and 11 do not divide by 3: PyTorch floors to 2 × 3 and ignores the last rows and columns.
#pragma warning disable CNN0002
[Network, Input(2, 7, 11), MaxPool2D(3)]
internal sealed partial class MaxPool3Floored;
#pragma warning restore CNN0002

[Network, Input(5, 6, 4), AvgPool2D(2)]
internal sealed partial class AvgPool2;

[Network, Input(2, 5, 7), AvgPool2D(3, Stride = 1)]
internal sealed partial class AvgPool3S1;

[Network, Input(2, 8, 8), AvgPool2D(2, Stride = 3)]
internal sealed partial class AvgPool2S3;

// Dense needs a vector: Flatten (itself checked alone below) feeds it.

[Network, Input(3, 2, 2), Flatten, Dense(5)]
internal sealed partial class Dense5;

[Network, Input(1, 1, 40), Flatten, Dense(33)]
internal sealed partial class Dense40x33;

// Activations alone, on images and (after Flatten) on vectors; Softmax is over dim 1 = channels
// of an image (per pixel) or the features of a vector.

[Network, Input(2, 3, 5), Relu]
internal sealed partial class ReluAlone;

[Network, Input(2, 3, 5), Sigmoid]
internal sealed partial class SigmoidAlone;

[Network, Input(2, 3, 5), Tanh]
internal sealed partial class TanhAlone;

[Network, Input(5, 3, 4), Softmax]
internal sealed partial class SoftmaxImage;

[Network, Input(1, 1, 10), Flatten, Softmax]
internal sealed partial class SoftmaxVector;

[Network, Input(3, 4, 5), Flatten]
internal sealed partial class FlattenAlone;

// The generator fuses an activation into the layer before it; these check the fused forms.

[Network, Input(2, 5, 6), Conv2D(3, 3, Padding = 1), Relu]
internal sealed partial class ConvRelu;

[Network, Input(2, 5, 6), Conv2D(3, 3, Padding = 1), Tanh]
internal sealed partial class ConvTanh;

[Network, Input(2, 4, 5), Conv2D(4, 3, Padding = 1), Softmax]
internal sealed partial class ConvSoftmax;

[Network, Input(2, 3, 3), Flatten, Dense(7), Sigmoid]
internal sealed partial class DenseSigmoid;

[Network, Input(2, 3, 3), Flatten, Dense(6), Softmax]
internal sealed partial class DenseSoftmax;

internal static class LayerNetworks
{
    public static IReadOnlyList<ParityCase> All { get; } =
    [
        Case<ConvK3>([2, 7, 9], new T.Conv2d(2, 3, 3)),
        Case<ConvK3S2P1>([3, 9, 9], new T.Conv2d(3, 4, 3, Stride: 2, Padding: 1)),
        Case<ConvK3P2D2>([2, 9, 9], new T.Conv2d(2, 3, 3, Padding: 2, Dilation: 2)),
        Case<ConvK3S2P1D2>([3, 9, 7], new T.Conv2d(3, 4, 3, Stride: 2, Padding: 1, Dilation: 2)),
        Case<ConvK3S3P2>([2, 11, 5], new T.Conv2d(2, 5, 3, Stride: 3, Padding: 2)),
        Case<ConvK3x2P1>([3, 7, 9], new T.Conv2d(3, 5, 3, KernelWidth: 2, Padding: 1)),
        Case<ConvK2x4S2x1>([2, 8, 9], new T.Conv2d(2, 4, 2, KernelWidth: 4, Stride: 2, StrideWidth: 1)),
        Case<ConvSameK3>([2, 6, 7], new T.Conv2d(2, 3, 3, Same: true)),
        Case<ConvSameK4>([2, 6, 7], new T.Conv2d(2, 3, 4, Same: true)),
        Case<ConvSameK2x3D2>([3, 7, 9], new T.Conv2d(3, 2, 2, KernelWidth: 3, Dilation: 2, Same: true)),
        Case<ConvK1>([8, 3, 5], new T.Conv2d(8, 5, 1)),

        Case<MaxPool2>([3, 8, 6], new T.MaxPool2d(2)),
        Case<MaxPool3S2>([2, 9, 7], new T.MaxPool2d(3, Stride: 2)),
        Case<MaxPool2S3>([1, 8, 5], new T.MaxPool2d(2, Stride: 3)),
        Case<MaxPool3Floored>([2, 7, 11], new T.MaxPool2d(3)),
        Case<AvgPool2>([5, 6, 4], new T.AvgPool2d(2)),
        Case<AvgPool3S1>([2, 5, 7], new T.AvgPool2d(3, Stride: 1)),
        Case<AvgPool2S3>([2, 8, 8], new T.AvgPool2d(2, Stride: 3)),

        Case<Dense5>([3, 2, 2], new T.Flatten(), new T.Linear(12, 5)),
        Case<Dense40x33>([1, 1, 40], new T.Flatten(), new T.Linear(40, 33)),

        Case<ReluAlone>([2, 3, 5], new T.ReLU()),
        Case<SigmoidAlone>([2, 3, 5], new T.Sigmoid()),
        Case<TanhAlone>([2, 3, 5], new T.Tanh()),
        Case<SoftmaxImage>([5, 3, 4], new T.Softmax()),
        Case<SoftmaxVector>([1, 1, 10], new T.Flatten(), new T.Softmax()),
        Case<FlattenAlone>([3, 4, 5], new T.Flatten()),

        Case<ConvRelu>([2, 5, 6], new T.Conv2d(2, 3, 3, Padding: 1), new T.ReLU()),
        Case<ConvTanh>([2, 5, 6], new T.Conv2d(2, 3, 3, Padding: 1), new T.Tanh()),
        Case<ConvSoftmax>([2, 4, 5], new T.Conv2d(2, 4, 3, Padding: 1), new T.Softmax()),
        Case<DenseSigmoid>([2, 3, 3], new T.Flatten(), new T.Linear(18, 7), new T.Sigmoid()),
        Case<DenseSoftmax>([2, 3, 3], new T.Flatten(), new T.Linear(18, 6), new T.Softmax()),
    ];

    public static IReadOnlyDictionary<string, ParityCase> ByName { get; } = All.ToDictionary(c => c.Name);

    private static ParityCase Case<TNetwork>(int[] inputShape, params T[] torch)
        where TNetwork : INetwork, new()
        => new(typeof(TNetwork).Name, () => new TNetwork(), inputShape, torch);
}
