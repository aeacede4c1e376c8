using CnnGen.Parity.Tests.Reference;
using CnnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using TorchModule = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace CnnGen.Parity.Tests.Networks;

// Graphs of named tensors (From, Add, Concat), GlobalAvgPool2D and Bias = false. Each declaration is
// paired below with a PyTorch model written by hand: named children (the state_dict names CnnGen must
// produce: conv1, conv2, … counted per kind over all layers, or the layer's Name) and a forward
// function, the way one would write the module in Python. Nothing on the torch side is derived from
// the attributes.

// (1) An Inception block. Towers: 1×1 | 1×1 → ReLU → 3×3 pad 1 | 3×3 pad 1, concatenated in declared
// order. The third tower of GoogLeNet (3×3 max-pool stride 1 pad 1 → 1×1) needs Padding on
// MaxPool2D, which is not in this branch; a 3×3 pad-1 convolution of the input takes its place
// (README).
[Network]
[Input(4, 9, 9)]
[Conv2D(3, 1, Name = "tower1")]
[From("input"), Conv2D(2, 1), Relu, Conv2D(4, 3, Padding = 1, Name = "tower2")]
[From("input"), Conv2D(3, 3, Padding = 1, Name = "tower3")]
[Concat("tower1", "tower2", "tower3"), Relu, Flatten, Dense(10)]
internal sealed partial class InceptionBlock;

// (2) Two residual blocks without BatchNorm: an identity shortcut, then a projection shortcut (strided
// 1×1 convolution without bias) into a strided block; global average pooling and a classifier.
[Network]
[Input(3, 9, 9)]
[Conv2D(4, 3, Padding = 1), Relu(Name = "stem")]
[Conv2D(4, 3, Padding = 1), Relu]
[Conv2D(4, 3, Padding = 1), Add("stem"), Relu(Name = "block1")]
[From("block1"), Conv2D(8, 1, Stride = 2, Bias = false, Name = "shortcut")]
[From("block1"), Conv2D(8, 3, Stride = 2, Padding = 1), Relu]
[Conv2D(8, 3, Padding = 1), Add("shortcut"), Relu]
[GlobalAvgPool2D, Flatten, Dense(10)]
internal sealed partial class ResidualNet;

// (3) x is read by three layers — a 3×3 convolution (as the current tensor), a 1×1 convolution (From)
// and a Concat — so dL/dx is the sum of three contributions.
[Network]
[Input(2, 6, 6)]
[Conv2D(3, 3, Padding = 1), Tanh(Name = "x")]
[Conv2D(3, 3, Padding = 1), Relu(Name = "y")]
[From("x"), Conv2D(3, 1, Bias = false), Add("y")]
[Concat("x"), Flatten, Dense(5)]
internal sealed partial class TensorReadThrice;

// (4) Each new layer alone.

// Add: the input read by ReLU and by the Add (a residual identity); two convolution branches of the
// input; three operands (the current tensor first, then the listed ones).
[Network, Input(2, 5, 6), Relu, Add("input")]
internal sealed partial class AddInput;

[Network]
[Input(3, 6, 7)]
[Conv2D(4, 3, Padding = 1, Name = "a")]
[From("input"), Conv2D(4, 1, Bias = false), Add("a")]
internal sealed partial class AddBranches;

[Network]
[Input(2, 4, 5)]
[Tanh(Name = "t")]
[From("input"), Sigmoid(Name = "s")]
[From("input"), Relu, Add("t", "s")]
internal sealed partial class AddThree;

// Concat: the current tensor first (its name not listed); the exact listed order (the current tensor's
// own name listed in the middle); a convolution concatenated with its input (DenseNet-style).
[Network]
[Input(3, 5, 6)]
[Relu(Name = "r")]
[From("input"), Tanh, Concat("r")]
internal sealed partial class ConcatCurrentFirst;

[Network]
[Input(3, 6, 5)]
[Conv2D(2, 3, Padding = 1, Name = "a")]
[From("input"), Conv2D(4, 1, Name = "b")]
[From("input"), Tanh(Name = "t"), Concat("b", "t", "a")]
internal sealed partial class ConcatListedOrder;

[Network, Input(2, 5, 5), Conv2D(3, 3, Padding = 1), Concat("input")]
internal sealed partial class ConcatInput;

// GlobalAvgPool2D: alone (output (C, 1, 1)) and between a convolution and a classifier.
[Network, Input(5, 4, 7), GlobalAvgPool2D]
internal sealed partial class GlobalAvgPoolAlone;

[Network, Input(3, 6, 6), Conv2D(4, 3, Padding = 1), Relu, GlobalAvgPool2D, Flatten, Dense(3)]
internal sealed partial class GlobalAvgPoolDense;

// Bias = false: a 3×3 convolution, a strided 1×1 (the projection shortcut alone), the fused
// convolution + ReLU form, a dense layer and the fused dense + sigmoid form.
[Network, Input(3, 7, 8), Conv2D(4, 3, Padding = 1, Bias = false)]
internal sealed partial class ConvNoBias;

[Network, Input(3, 9, 9), Conv2D(5, 1, Stride = 2, Bias = false)]
internal sealed partial class ConvK1S2NoBias;

[Network, Input(3, 5, 6), Conv2D(4, 3, Padding = 1, Bias = false), Relu]
internal sealed partial class ConvNoBiasRelu;

[Network, Input(3, 2, 2), Flatten, Dense(5, Bias = false)]
internal sealed partial class DenseNoBias;

[Network, Input(2, 3, 3), Flatten, Dense(6, Bias = false), Sigmoid]
internal sealed partial class DenseNoBiasSigmoid;

// BatchNorm2D (nn.BatchNorm2d): alone, with its own Eps and Momentum, after a convolution without bias
// and before a ReLU (the fused form), and (5) in a residual network as in issue 15's ResNet: convolution
// without bias → BatchNorm2D everywhere, a projection shortcut of a 1×1 strided convolution and a
// BatchNorm2D. Its 8 × 8 input makes both stride-2 layers floor to 4 × 4 as PyTorch does.
[Network, Input(3, 5, 6), BatchNorm2D]
internal sealed partial class BatchNormAlone;

[Network, Input(2, 4, 5), BatchNorm2D(Eps = 1e-3, Momentum = 0.3)]
internal sealed partial class BatchNormEpsMomentum;

[Network, Input(3, 6, 6), Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm2D, Relu]
internal sealed partial class ConvBatchNormRelu;

[Network]
[Input(3, 8, 8)]
[Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm2D, Relu(Name = "stem")]
[Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm2D, Add("stem"), Relu(Name = "block1")]
[From("block1"), Conv2D(8, 1, Stride = 2, Bias = false), BatchNorm2D(Name = "shortcut")]
[From("block1"), Conv2D(8, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(8, 3, Padding = 1, Bias = false), BatchNorm2D, Add("shortcut"), Relu]
[GlobalAvgPool2D, Flatten, Dense(10)]
internal sealed partial class ResidualBatchNormNet;

// (6) Issue 15's ResNet-8 and ResNet-20 (tests/Shared/ReferenceNetworks.cs, declared once for every test
// project) against torch twins written here.

/// <summary>A generated CnnGen graph network and a factory for its hand-written PyTorch twin.</summary>
/// <param name="Name">The theory data name.</param>
/// <param name="Create">Creates a fresh generated network.</param>
/// <param name="InputShape">One sample's (C, H, W).</param>
/// <param name="Torch">Builds the PyTorch model (children and forward written out by hand).</param>
/// <param name="Description">The PyTorch forward, as text, for the test output.</param>
internal sealed record GraphCase(string Name, Func<INetwork> Create, int[] InputShape, Func<TorchGraph> Torch, string Description)
{
    /// <summary>The NCHW shape of a batch of <paramref name="batchSize"/> samples.</summary>
    public long[] BatchShape(int batchSize) => [batchSize, .. InputShape.Select(d => (long)d)];
}

internal static class GraphNetworks
{
    /// <summary>The whole networks (1)–(3), (5) and (6), which end in a classifier.</summary>
    public static IReadOnlyList<GraphCase> Networks { get; } =
    [
        Case<InceptionBlock>(
            [4, 9, 9],
            "dense1(flatten(relu(cat([tower1(x), tower2(relu(conv2(x))), tower3(x)], 1))))",
            [
                ("tower1", Conv(4, 3, 1)), ("conv2", Conv(4, 2, 1)), ("tower2", Conv(2, 4, 3, padding: 1)),
                ("tower3", Conv(4, 3, 3, padding: 1)), ("dense1", Linear(10 * 9 * 9, 10)),
            ],
            (m, x) =>
            {
                Tensor t1 = m("tower1", x);
                Tensor t2 = m("tower2", m("conv2", x).relu());
                Tensor t3 = m("tower3", x);
                return m("dense1", cat([t1, t2, t3], 1).relu().flatten(1));
            }),
        Case<ResidualNet>(
            [3, 9, 9],
            "stem = relu(conv1(x)); b1 = relu(conv3(relu(conv2(stem))) + stem); y = relu(conv6(relu(conv5(b1))) + shortcut(b1)); dense1(flatten(adaptive_avg_pool2d(y, 1)))",
            [
                ("conv1", Conv(3, 4, 3, padding: 1)), ("conv2", Conv(4, 4, 3, padding: 1)), ("conv3", Conv(4, 4, 3, padding: 1)),
                ("shortcut", Conv(4, 8, 1, stride: 2, bias: false)), ("conv5", Conv(4, 8, 3, stride: 2, padding: 1)),
                ("conv6", Conv(8, 8, 3, padding: 1)), ("gap", () => nn.AdaptiveAvgPool2d(1)), ("dense1", Linear(8, 10)),
            ],
            (m, x) =>
            {
                Tensor stem = m("conv1", x).relu();
                Tensor block1 = (m("conv3", m("conv2", stem).relu()) + stem).relu();
                Tensor shortcut = m("shortcut", block1);
                Tensor block2 = (m("conv6", m("conv5", block1).relu()) + shortcut).relu();
                return m("dense1", m("gap", block2).flatten(1));
            }),
        Case<TensorReadThrice>(
            [2, 6, 6],
            "x = tanh(conv1(input)); y = relu(conv2(x)); dense1(flatten(cat([conv3(x) + y, x], 1)))",
            [
                ("conv1", Conv(2, 3, 3, padding: 1)), ("conv2", Conv(3, 3, 3, padding: 1)),
                ("conv3", Conv(3, 3, 1, bias: false)), ("dense1", Linear(6 * 6 * 6, 5)),
            ],
            (m, input) =>
            {
                Tensor x = m("conv1", input).tanh();
                Tensor y = m("conv2", x).relu();
                Tensor sum = m("conv3", x) + y;
                return m("dense1", cat([sum, x], 1).flatten(1));
            }),
        Case<ResidualBatchNormNet>(
            [3, 8, 8],
            "stem = relu(bn1(conv1(x))); b1 = relu(bn3(conv3(relu(bn2(conv2(stem))))) + stem); y = relu(bn6(conv6(relu(bn5(conv5(b1))))) + shortcut(conv4(b1))); dense1(flatten(adaptive_avg_pool2d(y, 1)))",
            [
                ("conv1", Conv(3, 4, 3, padding: 1, bias: false)), ("bn1", BatchNorm(4)),
                ("conv2", Conv(4, 4, 3, padding: 1, bias: false)), ("bn2", BatchNorm(4)),
                ("conv3", Conv(4, 4, 3, padding: 1, bias: false)), ("bn3", BatchNorm(4)),
                ("conv4", Conv(4, 8, 1, stride: 2, bias: false)), ("shortcut", BatchNorm(8)),
                ("conv5", Conv(4, 8, 3, stride: 2, padding: 1, bias: false)), ("bn5", BatchNorm(8)),
                ("conv6", Conv(8, 8, 3, padding: 1, bias: false)), ("bn6", BatchNorm(8)),
                ("gap", () => nn.AdaptiveAvgPool2d(1)), ("dense1", Linear(8, 10)),
            ],
            (m, x) =>
            {
                Tensor stem = m("bn1", m("conv1", x)).relu();
                Tensor block1 = (m("bn3", m("conv3", m("bn2", m("conv2", stem)).relu())) + stem).relu();
                Tensor shortcut = m("shortcut", m("conv4", block1));
                Tensor block2 = (m("bn6", m("conv6", m("bn5", m("conv5", block1)).relu())) + shortcut).relu();
                return m("dense1", m("gap", block2).flatten(1));
            }),
        Case<ResNet8>(
            [1, 28, 28],
            "ResNet-8: stem = relu(bn1(conv1(x))); block1 = relu(bn3(conv3(relu(bn2(conv2(stem))))) + stem); per stage s = 2, 3: relu(bn(conv(relu(bn(conv_stride2(prev))))) + shortcut_s(conv_1x1_stride2(prev))); dense1(flatten(adaptive_avg_pool2d(·, 1)))",
            [
                ("conv1", Conv(1, 16, 3, padding: 1, bias: false)), ("bn1", BatchNorm(16)),
                ("conv2", Conv(16, 16, 3, padding: 1, bias: false)), ("bn2", BatchNorm(16)),
                ("conv3", Conv(16, 16, 3, padding: 1, bias: false)), ("bn3", BatchNorm(16)),
                ("conv4", Conv(16, 32, 1, stride: 2, bias: false)), ("shortcut2", BatchNorm(32)),
                ("conv5", Conv(16, 32, 3, stride: 2, padding: 1, bias: false)), ("bn5", BatchNorm(32)),
                ("conv6", Conv(32, 32, 3, padding: 1, bias: false)), ("bn6", BatchNorm(32)),
                ("conv7", Conv(32, 64, 1, stride: 2, bias: false)), ("shortcut3", BatchNorm(64)),
                ("conv8", Conv(32, 64, 3, stride: 2, padding: 1, bias: false)), ("bn8", BatchNorm(64)),
                ("conv9", Conv(64, 64, 3, padding: 1, bias: false)), ("bn9", BatchNorm(64)),
                ("gap", () => nn.AdaptiveAvgPool2d(1)), ("dense1", Linear(64, 10)),
            ],
            (m, x) =>
            {
                Tensor stem = m("bn1", m("conv1", x)).relu();
                Tensor block1 = (m("bn3", m("conv3", m("bn2", m("conv2", stem)).relu())) + stem).relu();
                Tensor block2 = (m("bn6", m("conv6", m("bn5", m("conv5", block1)).relu())) + m("shortcut2", m("conv4", block1))).relu();
                Tensor block3 = (m("bn9", m("conv9", m("bn8", m("conv8", block2)).relu())) + m("shortcut3", m("conv7", block2))).relu();
                return m("dense1", m("gap", block3).flatten(1));
            }),
        Case<ResNet20>(
            [1, 28, 28],
            "ResNet-20: stem = relu(bn1(conv1(x))); 3 stages of 3 blocks relu(bn(conv(relu(bn(conv(prev))))) + shortcut), the first block of stages 2 and 3 strided with shortcut s_shortcut(conv_1x1_stride2(prev)); dense1(flatten(adaptive_avg_pool2d(·, 1)))",
            ResNet20Children(),
            (m, x) =>
            {
                Tensor Block(Tensor input, int first, Tensor shortcut) =>
                    (m($"bn{first + 1}", m($"conv{first + 1}", m($"bn{first}", m($"conv{first}", input)).relu())) + shortcut).relu();

                x = m("bn1", m("conv1", x)).relu();
                x = Block(x, 2, x);
                x = Block(x, 4, x);
                x = Block(x, 6, x);
                x = Block(x, 9, m("s2shortcut", m("conv8", x)));
                x = Block(x, 11, x);
                x = Block(x, 13, x);
                x = Block(x, 16, m("s3shortcut", m("conv15", x)));
                x = Block(x, 18, x);
                x = Block(x, 20, x);
                return m("dense1", m("gap", x).flatten(1));
            }),
    ];

    /// <summary>The new layers alone (4).</summary>
    public static IReadOnlyList<GraphCase> Layers { get; } =
    [
        Case<AddInput>([2, 5, 6], "relu(x) + x", [], (m, x) => x.relu() + x),
        Case<AddBranches>(
            [3, 6, 7], "conv2(x) + a(x)",
            [("a", Conv(3, 4, 3, padding: 1)), ("conv2", Conv(3, 4, 1, bias: false))],
            (m, x) => m("conv2", x) + m("a", x)),
        Case<AddThree>([2, 4, 5], "relu(x) + tanh(x) + sigmoid(x)", [], (m, x) => x.relu() + x.tanh() + x.sigmoid()),
        Case<ConcatCurrentFirst>([3, 5, 6], "cat([tanh(x), relu(x)], 1)", [], (m, x) => cat([x.tanh(), x.relu()], 1)),
        Case<ConcatListedOrder>(
            [3, 6, 5], "cat([b(x), tanh(x), a(x)], 1)",
            [("a", Conv(3, 2, 3, padding: 1)), ("b", Conv(3, 4, 1))],
            (m, x) => cat([m("b", x), x.tanh(), m("a", x)], 1)),
        Case<ConcatInput>([2, 5, 5], "cat([conv1(x), x], 1)", [("conv1", Conv(2, 3, 3, padding: 1))], (m, x) => cat([m("conv1", x), x], 1)),
        Case<GlobalAvgPoolAlone>([5, 4, 7], "AdaptiveAvgPool2d(1)(x)", [("gap", () => nn.AdaptiveAvgPool2d(1))], (m, x) => m("gap", x)),
        Case<GlobalAvgPoolDense>(
            [3, 6, 6], "dense1(flatten(AdaptiveAvgPool2d(1)(relu(conv1(x)))))",
            [("conv1", Conv(3, 4, 3, padding: 1)), ("gap", () => nn.AdaptiveAvgPool2d(1)), ("dense1", Linear(4, 3))],
            (m, x) => m("dense1", m("gap", m("conv1", x).relu()).flatten(1))),
        Case<ConvNoBias>([3, 7, 8], "Conv2d(3, 4, 3, padding=1, bias=False)", [("conv1", Conv(3, 4, 3, padding: 1, bias: false))], (m, x) => m("conv1", x)),
        Case<ConvK1S2NoBias>([3, 9, 9], "Conv2d(3, 5, 1, stride=2, bias=False)", [("conv1", Conv(3, 5, 1, stride: 2, bias: false))], (m, x) => m("conv1", x)),
        Case<ConvNoBiasRelu>(
            [3, 5, 6], "relu(Conv2d(3, 4, 3, padding=1, bias=False))",
            [("conv1", Conv(3, 4, 3, padding: 1, bias: false))], (m, x) => m("conv1", x).relu()),
        Case<DenseNoBias>([3, 2, 2], "Linear(12, 5, bias=False)(flatten(x))", [("dense1", Linear(12, 5, bias: false))], (m, x) => m("dense1", x.flatten(1))),
        Case<DenseNoBiasSigmoid>(
            [2, 3, 3], "sigmoid(Linear(18, 6, bias=False)(flatten(x)))",
            [("dense1", Linear(18, 6, bias: false))], (m, x) => m("dense1", x.flatten(1)).sigmoid()),
        Case<BatchNormAlone>([3, 5, 6], "BatchNorm2d(3)", [("bn1", BatchNorm(3))], (m, x) => m("bn1", x)),
        Case<BatchNormEpsMomentum>(
            [2, 4, 5], "BatchNorm2d(2, eps=1e-3, momentum=0.3)",
            [("bn1", () => nn.BatchNorm2d(2, eps: 1e-3, momentum: 0.3))], (m, x) => m("bn1", x)),
        Case<ConvBatchNormRelu>(
            [3, 6, 6], "relu(BatchNorm2d(4)(Conv2d(3, 4, 3, padding=1, bias=False)(x)))",
            [("conv1", Conv(3, 4, 3, padding: 1, bias: false)), ("bn1", BatchNorm(4))], (m, x) => m("bn1", m("conv1", x)).relu()),
    ];

    public static IReadOnlyList<GraphCase> All { get; } = [.. Networks, .. Layers];

    public static IReadOnlyDictionary<string, GraphCase> ByName { get; } = All.ToDictionary(c => c.Name);

    private static Func<TorchModule> Conv(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true)
        => () => nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: bias);

    /// <summary>ResNet-20's children in declaration order: conv1–conv21 each followed by its BatchNorm (bn{i}, or the shortcuts' s2shortcut and s3shortcut after conv8 and conv15).</summary>
    private static (string Name, Func<TorchModule> Create)[] ResNet20Children()
    {
        var children = new List<(string, Func<TorchModule>)> { ("conv1", Conv(1, 16, 3, padding: 1, bias: false)), ("bn1", BatchNorm(16)) };
        for (int i = 2; i <= 21; i++)
        {
            (int inChannels, int outChannels, int kernel, int stride, int padding) = i switch
            {
                <= 7 => (16, 16, 3, 1, 1),
                8 => (16, 32, 1, 2, 0),
                9 => (16, 32, 3, 2, 1),
                <= 14 => (32, 32, 3, 1, 1),
                15 => (32, 64, 1, 2, 0),
                16 => (32, 64, 3, 2, 1),
                _ => (64, 64, 3, 1, 1),
            };
            children.Add(($"conv{i}", Conv(inChannels, outChannels, kernel, stride, padding, bias: false)));
            children.Add((i == 8 ? "s2shortcut" : i == 15 ? "s3shortcut" : $"bn{i}", BatchNorm(outChannels)));
        }

        children.Add(("gap", () => nn.AdaptiveAvgPool2d(1)));
        children.Add(("dense1", Linear(64, 10)));
        return [.. children];
    }

    private static Func<TorchModule> BatchNorm(int features) => () => nn.BatchNorm2d(features);

    private static Func<TorchModule> Linear(int inFeatures, int outFeatures, bool bias = true)
        => () => nn.Linear(inFeatures, outFeatures, hasBias: bias);

    private static GraphCase Case<TNetwork>(int[] inputShape, string description, (string Name, Func<TorchModule> Create)[] children, GraphForward forward)
        where TNetwork : INetwork, new()
        => new(typeof(TNetwork).Name, () => new TNetwork(), inputShape, () => new TorchGraph(children, forward), description);
}
