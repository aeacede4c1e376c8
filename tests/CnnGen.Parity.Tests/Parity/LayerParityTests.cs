using CnnGen.Parity.Tests.Networks;
using CnnGen.Parity.Tests.Reference;
using CnnGen.Runtime;
using Xunit.Abstractions;

namespace CnnGen.Parity.Tests.Parity;

/// <summary>
/// Each layer kind alone (and the fused activation forms) against the matching <c>torch.nn</c>
/// module: forward in inference and in training mode, then backward of the linear loss
/// <c>L = Σ output ⊙ R</c> for a fixed random <c>R</c> (so dL/doutput = R): every parameter gradient
/// and the input gradient. Parameters start from libtorch's seeded default initialization.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class LayerParityTests(ITestOutputHelper output)
{
    private const int BatchSize = 3;

    public static TheoryData<string> Names => new(LayerNetworks.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_and_backward_match_torch(string name)
    {
        ParityCase parityCase = LayerNetworks.ByName[name];
        int seed = TestData.StableSeed(name);
        using var torch = new TorchReference(seed, parityCase.Torch);
        INetwork network = parityCase.Create();
        Assert.Equal(torch.ParameterCount, network.ParameterCount);
        ReferenceNetworkParityTests.AssertSameLayout(torch, network);
        torch.GetParameters().CopyTo(network.Parameters);

        var random = new Random(seed);
        float[] inputs = TestData.Uniform(random, BatchSize * network.InputLength, -3f, 3f);
        float[] outputGradient = TestData.Uniform(random, BatchSize * network.OutputLength);
        var expected = torch.Backward(inputs, parityCase.BatchShape(BatchSize), outputGradient);
        Assert.Equal(BatchSize, expected.Shape[0]);
        Assert.Equal(network.OutputLength, (int)expected.Shape.Skip(1).Aggregate(1L, (a, b) => a * b));

        var log = new ParityLog(output, $"{name}: {string.Join(" -> ", parityCase.Torch.Select(Describe))}, input (N={BatchSize}, {string.Join(", ", parityCase.InputShape)}), output ({string.Join(", ", expected.Shape)})");
        var outputs = new float[BatchSize * network.OutputLength];
        network.IsTraining = false;
        network.ForwardBatch(inputs, outputs, BatchSize);
        log.Compare("forward (inference)", outputs, expected.Output);

        network.IsTraining = true;
        Array.Clear(outputs);
        network.ForwardBatch(inputs, outputs, BatchSize);
        log.Compare("forward (training)", outputs, expected.Output);

        network.ZeroGradients();
        var inputGradient = new float[inputs.Length];
        network.BackwardBatch(outputGradient, inputGradient, BatchSize);
        log.CompareTensors("dL/d", network, network.Gradients, expected.ParameterGradients);
        log.Compare("dL/dinput", inputGradient, expected.InputGradient);
        log.AssertAllWithin();
    }

    private static string Describe(Layer layer) => layer switch
    {
        Layer.Conv2d c => $"Conv2d({c.InChannels}, {c.OutChannels}, ({c.Kernel}, {c.KernelWidth ?? c.Kernel}), stride=({c.Stride}, {c.StrideWidth ?? c.Stride}), padding={(c.Same ? "'same'" : c.Padding.ToString(System.Globalization.CultureInfo.InvariantCulture))}, dilation={c.Dilation})",
        Layer.MaxPool2d m => $"MaxPool2d({m.Kernel}, stride={m.Stride ?? m.Kernel})",
        Layer.AvgPool2d a => $"AvgPool2d({a.Kernel}, stride={a.Stride ?? a.Kernel})",
        Layer.Linear l => $"Linear({l.InFeatures}, {l.OutFeatures})",
        Layer.Softmax => "Softmax(dim=1)",
        _ => layer.GetType().Name,
    };
}
