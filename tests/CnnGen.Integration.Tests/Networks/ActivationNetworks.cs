using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests.Networks;

// Each activation directly on the network input (its own buffer), after a convolution (fused in
// place) and after a dense layer; softmax over channels per pixel and over a vector.

[Network, Input(2, 3, 5), Relu]
internal partial class ReluOnInput;

[Network, Input(1, 4, 4), Sigmoid]
internal partial class SigmoidOnInput;

[Network, Input(3, 2, 3), Tanh]
internal partial class TanhOnInput;

[Network, Input(5, 3, 4), Softmax]
internal partial class SoftmaxOnInput;

[Network, Input(2, 5, 6), Conv2D(3, 3, Padding = 1), Relu]
internal partial class ConvRelu;

// Rows of 14 with 3 filters: inference runs RowConvolution without bias, then one bias + ReLU pass.
[Network, Input(2, 6, 14), Conv2D(3, 3, Padding = 1), Relu]
internal partial class ConvRowRelu;

[Network, Input(2, 5, 6), Conv2D(3, 3, Padding = 1), Sigmoid]
internal partial class ConvSigmoid;

[Network, Input(2, 5, 6), Conv2D(3, 3, Padding = 1), Tanh]
internal partial class ConvTanh;

[Network, Input(2, 4, 5), Conv2D(4, 3, Padding = 1), Softmax]
internal partial class ConvSoftmax;

[Network, Input(2, 3, 3), Flatten, Dense(7), Relu]
internal partial class DenseRelu;

[Network, Input(2, 3, 3), Flatten, Dense(7), Sigmoid]
internal partial class DenseSigmoid;

[Network, Input(2, 3, 3), Flatten, Dense(7), Tanh]
internal partial class DenseTanh;

[Network, Input(1, 3, 3), Flatten, Dense(6), Softmax]
internal partial class DenseSoftmax;

[Network, Input(2, 2, 3), Flatten, Softmax]
internal partial class FlattenSoftmax;

internal static class ActivationNetworks
{
    public static IEnumerable<NetworkCase> Cases =>
    [
        new("ReluOnInput", () => new ReluOnInput(), new(new(2, 3, 5), ActivationOracle.Relu)),
        new("SigmoidOnInput", () => new SigmoidOnInput(), new(new(1, 4, 4), ActivationOracle.Sigmoid)),
        new("TanhOnInput", () => new TanhOnInput(), new(new(3, 2, 3), ActivationOracle.Tanh)),
        new("SoftmaxOnInput", () => new SoftmaxOnInput(), new(new(5, 3, 4), new SoftmaxOracle())),
        new("ConvRelu", () => new ConvRelu(), new(new(2, 5, 6), ConvOracle.Explicit(3, 3, 3, padding: 1), ActivationOracle.Relu)),
        new("ConvRowRelu", () => new ConvRowRelu(), new(new(2, 6, 14), ConvOracle.Explicit(3, 3, 3, padding: 1), ActivationOracle.Relu)),
        new("ConvSigmoid", () => new ConvSigmoid(), new(new(2, 5, 6), ConvOracle.Explicit(3, 3, 3, padding: 1), ActivationOracle.Sigmoid)),
        new("ConvTanh", () => new ConvTanh(), new(new(2, 5, 6), ConvOracle.Explicit(3, 3, 3, padding: 1), ActivationOracle.Tanh)),
        new("ConvSoftmax", () => new ConvSoftmax(), new(new(2, 4, 5), ConvOracle.Explicit(4, 3, 3, padding: 1), new SoftmaxOracle())),
        new("DenseRelu", () => new DenseRelu(), new(new(2, 3, 3), new FlattenOracle(), new DenseOracle(7), ActivationOracle.Relu)),
        new("DenseSigmoid", () => new DenseSigmoid(), new(new(2, 3, 3), new FlattenOracle(), new DenseOracle(7), ActivationOracle.Sigmoid)),
        new("DenseTanh", () => new DenseTanh(), new(new(2, 3, 3), new FlattenOracle(), new DenseOracle(7), ActivationOracle.Tanh)),
        new("DenseSoftmax", () => new DenseSoftmax(), new(new(1, 3, 3), new FlattenOracle(), new DenseOracle(6), new SoftmaxOracle())),
        new("FlattenSoftmax", () => new FlattenSoftmax(), new(new(2, 2, 3), new FlattenOracle(), new SoftmaxOracle())),
    ];
}
