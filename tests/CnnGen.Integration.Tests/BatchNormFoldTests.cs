using System.Reflection;
using CnnGen.Integration.Tests.Networks;
using CnnGen.Integration.Tests.Support;
using CnnGen.Runtime;
using CnnGen.Tests.Networks;

namespace CnnGen.Integration.Tests;

/// <summary>
/// A BatchNorm after each of the four convolution kernels (row: 8 filters on 16-wide rows; direct: patch 8·3·3 = 72;
/// implicit: kernel rows 16·3 deep; im2col: 1×1 with 16 channels), with and without the convolution's bias, and
/// followed by each kind of activation or by none, which the frozen convolution then applies itself.
/// </summary>
[Network]
[Input(4, 16, 16)]
[Conv2D(8, 3, Padding = 1), BatchNorm2D, Sigmoid]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(16, 3, Padding = 1), BatchNorm2D, Tanh]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D(Eps = 1e-3), MaxPool2D(2)]
[Conv2D(16, 1), BatchNorm2D, Relu, Conv2D(4, 1, Bias = false), BatchNorm2D, Softmax]
[Flatten, Dense(3)]
internal partial class FoldKinds;

/// <summary>
/// BatchNorms that must keep running when frozen: bn1's input is also read by the Add (the convolution's output
/// has two readers); bn2's output is the network's output.
/// </summary>
[Network]
[Input(2, 6, 6)]
[Conv2D(4, 3, Padding = 1, Name = "c"), BatchNorm2D, Add("c"), Relu]
[Conv2D(4, 3, Padding = 1), BatchNorm2D]
internal partial class NoFold;

/// <summary>
/// <c>Freeze()</c> folds a BatchNorm that directly follows a convolution into that convolution's weight and bias:
/// the frozen network answers as the unfrozen one does in inference mode, with running statistics and γ/β far from
/// their initial values, and no normalization pass reads the running statistics any more.
/// </summary>
public sealed class BatchNormFoldTests
{
    public static TheoryData<string, int> Cases() => new()
    {
        { "ResNet8", 1 }, { "ResNet8", 5 }, { "FoldKinds", 1 }, { "FoldKinds", 4 }, { "ConvBatchNorm", 1 }, { "ConvBatchNorm", 3 },
        { "BatchNormGraph", 1 }, { "BatchNormGraph", 3 }, { "NoFold", 1 }, { "NoFold", 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Frozen_network_matches_the_unfrozen_one_in_inference_mode(string name, int batch)
    {
        (INetwork net, Action freeze) = Create(name);
        var random = new Random(TestData.StableSeed(name) + batch);
        Randomize(net, random);
        float[] inputs = TestData.Uniform(random, batch * net.InputLength);
        float[] expected = Run(net, inputs, batch);
        Assert.Contains(expected, value => Math.Abs(value) > 1e-3);

        freeze();
        float[] frozen = Run(net, inputs, batch);

        double scale = expected.Max(value => Math.Abs(value));
        NumericAssert.Close(TestData.ToDouble(expected), frozen, 1e-4, 1e-5 * Math.Max(1, scale), $"{name} frozen, batch {batch}");
    }

    /// <summary>
    /// Once frozen, a folded BatchNorm no longer reads its running statistics: with every one of them NaN (written
    /// behind the network's back, as <c>State</c> is refused once frozen) a network whose BatchNorms all fold answers
    /// exactly as before, while one whose BatchNorms must keep running turns to NaN — so the test can tell.
    /// </summary>
    [Theory]
    [InlineData("ResNet8", true)]
    [InlineData("FoldKinds", true)]
    [InlineData("NoFold", false)]
    public void Frozen_network_runs_no_normalization_where_every_batch_norm_folds(string name, bool allFold)
    {
        (INetwork net, Action freeze) = Create(name);
        var random = new Random(TestData.StableSeed(name));
        Randomize(net, random);
        float[] inputs = TestData.Uniform(random, 2 * net.InputLength);
        freeze();
        float[] before = Run(net, inputs, 2), beforeOne = Run(net, inputs.AsSpan(0, net.InputLength).ToArray(), 1);

        var state = (float[])net.GetType().GetField("_state", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(net)!;
        Assert.Equal(net.StateTensors.Sum(tensor => tensor.Length), state.Length);
        Array.Fill(state, float.NaN);
        float[] after = Run(net, inputs, 2), afterOne = Run(net, inputs.AsSpan(0, net.InputLength).ToArray(), 1);

        if (allFold)
        {
            Assert.Equal(before, after);
            Assert.Equal(beforeOne, afterOne);
        }
        else
        {
            Assert.All(after, value => Assert.True(float.IsNaN(value), $"{name}: {value} after NaN running statistics"));
        }
    }

    [Fact]
    public void Folding_keeps_the_parameters_and_state_as_they_were()
    {
        var net = new ResNet8();
        var random = new Random(3);
        Randomize(net, random);
        float[] parameters = net.Parameters.ToArray(), state = net.State.ToArray();
        var copy = new ResNet8();
        net.Freeze();

        // A frozen network refuses both writable spans; a copy made before freezing still saves what was trained.
        Assert.Throws<InvalidOperationException>(() => net.State.Length);
        parameters.CopyTo(copy.Parameters);
        state.CopyTo(copy.State);
        float[] input = TestData.Uniform(random, ResNet8.InputLength);
        float[] frozen = new float[ResNet8.OutputLength], unfrozen = new float[ResNet8.OutputLength];
        net.Forward(input, frozen);
        copy.Forward(input, unfrozen);
        NumericAssert.Close(TestData.ToDouble(unfrozen), frozen, 1e-4, 1e-5, "ResNet-8 frozen against an unfrozen copy");
    }

    [Fact]
    public void Frozen_ResNet8_allocates_nothing_after_warm_up()
    {
        var net = new ResNet8();
        net.Freeze();
        float[] input = new float[2 * ResNet8.InputLength], output = new float[2 * ResNet8.OutputLength];
        for (int i = 0; i < 20; i++)
        {
            net.Forward(input.AsSpan(0, ResNet8.InputLength), output.AsSpan(0, ResNet8.OutputLength));
            net.ForwardBatch(input, output, 2);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        net.Forward(input.AsSpan(0, ResNet8.InputLength), output.AsSpan(0, ResNet8.OutputLength));
        net.ForwardBatch(input, output, 2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>γ and β, the running means and variances far from 1, 0, 0 and 1; other parameters as initialized (PyTorch's default).</summary>
    private static void Randomize(INetwork net, Random random)
    {
        net.ResetParameters(random.Next());
        Span<float> parameters = net.Parameters;
        HashSet<string> normalizations = net.StateTensors.Select(tensor => tensor.Name[..tensor.Name.LastIndexOf('.')]).ToHashSet();
        foreach (ParameterTensor tensor in net.ParameterTensors.Where(tensor => normalizations.Contains(tensor.Name[..tensor.Name.LastIndexOf('.')])))
        {
            bool gamma = tensor.Name.EndsWith(".weight", StringComparison.Ordinal);
            TestData.Uniform(random, tensor.Length, gamma ? 0.5 : -0.5, gamma ? 2 : 0.5).CopyTo(parameters.Slice(tensor.Offset, tensor.Length));
        }

        foreach (ParameterTensor tensor in net.StateTensors)
        {
            bool mean = tensor.Name.EndsWith(".running_mean", StringComparison.Ordinal);
            TestData.Uniform(random, tensor.Length, mean ? -0.3 : 0.05, mean ? 0.3 : 1).CopyTo(net.State.Slice(tensor.Offset, tensor.Length));
        }

        net.IsTraining = false;
    }

    private static float[] Run(INetwork net, float[] inputs, int batch)
    {
        var outputs = new float[batch * net.OutputLength];
        Array.Fill(outputs, float.NaN);
        if (batch == 1)
        {
            net.Forward(inputs, outputs);
        }
        else
        {
            net.ForwardBatch(inputs, outputs, batch);
        }

        return outputs;
    }

    private static (INetwork Net, Action Freeze) Create(string name)
    {
        switch (name)
        {
            case "ResNet8":
                var resnet = new ResNet8();
                return (resnet, resnet.Freeze);
            case "FoldKinds":
                var kinds = new FoldKinds();
                return (kinds, kinds.Freeze);
            case "ConvBatchNorm":
                var convBatchNorm = new ConvBatchNorm();
                return (convBatchNorm, convBatchNorm.Freeze);
            case "BatchNormGraph":
                var graph = new BatchNormGraph();
                return (graph, graph.Freeze);
            default:
                var noFold = new NoFold();
                return (noFold, noFold.Freeze);
        }
    }
}
