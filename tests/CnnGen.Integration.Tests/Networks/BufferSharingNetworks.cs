using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests.Networks;

// Layer orders where the planner shares buffers: activations fused in place after Flatten (a view),
// chains of in-place activations, an activation on the network input feeding a convolution,
// softmax in the middle, and image-shaped dropout.

[Network, Input(3, 2, 4), Flatten, Relu, Dense(4)]
internal partial class FlattenReluDense;

[Network, Input(2, 5, 5), Tanh, Conv2D(3, 3, Padding = 1)]
internal partial class TanhThenConv;

[Network, Input(2, 4, 4), Conv2D(3, 3), Flatten, Sigmoid, Dense(4)]
internal partial class ConvFlattenSigmoidDense;

[Network, Input(2, 5, 5), Conv2D(3, 3, Padding = 1), Relu, Sigmoid, Tanh]
internal partial class ActivationChain;

[Network, Input(2, 6, 6), Conv2D(3, 3, Padding = 1), AvgPool2D(2), Softmax, Conv2D(2, 3)]
internal partial class SoftmaxMidImage;

[Network, Input(1, 3, 3), Flatten, Dense(5), Softmax, Dense(3), Tanh]
internal partial class SoftmaxMidVector;

[Network, Input(2, 4, 4), Conv2D(3, 3, Padding = 1), Dropout(0.25), MaxPool2D(2)]
internal partial class ConvDropoutPool;

internal static class BufferSharingNetworks
{
    public static IEnumerable<NetworkCase> Cases =>
    [
        new("FlattenReluDense", () => new FlattenReluDense(), new(new(3, 2, 4), new FlattenOracle(), ActivationOracle.Relu, new DenseOracle(4))),
        new("TanhThenConv", () => new TanhThenConv(), new(new(2, 5, 5), ActivationOracle.Tanh, ConvOracle.Explicit(3, 3, 3, padding: 1))),
        new("ConvFlattenSigmoidDense", () => new ConvFlattenSigmoidDense(), new(new(2, 4, 4), ConvOracle.Explicit(3, 3, 3), new FlattenOracle(), ActivationOracle.Sigmoid, new DenseOracle(4))),
        new("ActivationChain", () => new ActivationChain(), new(new(2, 5, 5), ConvOracle.Explicit(3, 3, 3, padding: 1), ActivationOracle.Relu, ActivationOracle.Sigmoid, ActivationOracle.Tanh)),
        new("SoftmaxMidImage", () => new SoftmaxMidImage(), new(new(2, 6, 6), ConvOracle.Explicit(3, 3, 3, padding: 1), PoolOracle.Average(2), new SoftmaxOracle(), ConvOracle.Explicit(2, 3, 3))),
        new("SoftmaxMidVector", () => new SoftmaxMidVector(), new(new(1, 3, 3), new FlattenOracle(), new DenseOracle(5), new SoftmaxOracle(), new DenseOracle(3), ActivationOracle.Tanh)),
        new("ConvDropoutPool", () => new ConvDropoutPool(), new(new(2, 4, 4), ConvOracle.Explicit(3, 3, 3, padding: 1), new DropoutOracle(), PoolOracle.Max(2))) { OracleIsInferenceOnly = true },
    ];
}
