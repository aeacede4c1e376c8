using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests.Networks;

// Small multi-layer stacks where layers hand tensors to each other: activations after pooling,
// "same" padding mid-network, overlapping pooling before Flatten, softmax at the end.

[Network]
[Input(3, 10, 8)]
[Conv2D(5, 3, Padding = 1), Tanh, AvgPool2D(2)]
[Conv2D(4, 2, 3, PaddingMode = PaddingMode.Same), Sigmoid, MaxPool2D(2, Stride = 1)]
[Flatten, Dense(6), Relu, Dense(4), Softmax]
internal partial class MixedStack;

[Network]
[Input(2, 9, 9)]
[Conv2D(4, 3, Stride = 2), Relu]
[Conv2D(3, 3, Padding = 2, Dilation = 2), MaxPool2D(2), Relu]
[Flatten, Dense(5)]
internal partial class TwoConvs;

internal static class CompositeNetworks
{
    public static IEnumerable<NetworkCase> Cases =>
    [
        new("MixedStack", () => new MixedStack(), new(
            new(3, 10, 8),
            ConvOracle.Explicit(5, 3, 3, padding: 1), ActivationOracle.Tanh, PoolOracle.Average(2),
            ConvOracle.Same(4, 2, 3), ActivationOracle.Sigmoid, PoolOracle.Max(2, stride: 1),
            new FlattenOracle(), new DenseOracle(6), ActivationOracle.Relu, new DenseOracle(4), new SoftmaxOracle())),
        new("TwoConvs", () => new TwoConvs(), new(
            new(2, 9, 9),
            ConvOracle.Explicit(4, 3, 3, strideHeight: 2, strideWidth: 2), ActivationOracle.Relu,
            ConvOracle.Explicit(3, 3, 3, padding: 2, dilation: 2), PoolOracle.Max(2), ActivationOracle.Relu,
            new FlattenOracle(), new DenseOracle(5))),
    ];
}
