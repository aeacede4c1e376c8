using CnnGen.Parity.Tests.Networks;
using CnnGen.Parity.Tests.Reference;
using CnnGen.Runtime;
using CnnGen.Runtime.Training;
using Xunit.Abstractions;

namespace CnnGen.Parity.Tests.Parity;

/// <summary>
/// Graphs of named tensors (<c>From</c>, <c>Add</c>, <c>Concat</c>), <c>GlobalAvgPool2D</c> and
/// <c>Bias = false</c> against hand-written PyTorch models (<see cref="GraphNetworks"/>): an Inception
/// block, a residual network with a projection shortcut, a tensor read by three layers, and each new
/// layer alone. Parameters start from CnnGen's own initialization (<see cref="INetwork.ResetParameters"/>)
/// and are copied into torch by <c>state_dict</c> name.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class GraphParityTests(ITestOutputHelper output)
{
    private const int VectorJacobianBatch = 3;
    private const int TrainingBatch = 8;
    private const int Steps = 3;
    private const float AdamLearningRate = 1e-3f;

    public static TheoryData<string> All => new(GraphNetworks.All.Select(c => c.Name));

    public static TheoryData<string> Networks => new(GraphNetworks.Networks.Select(c => c.Name));

    /// <summary>Every case with trainable parameters (Adam has nothing to do on the others).</summary>
    public static TheoryData<string> Trainable => new(GraphNetworks.All.Where(c => c.Create().ParameterCount > 0).Select(c => c.Name));

    [Theory]
    [MemberData(nameof(All))]
    public void State_dict_names_and_shapes_match_the_torch_model(string name)
    {
        GraphCase graphCase = GraphNetworks.ByName[name];
        INetwork network = graphCase.Create();
        using TorchGraph torch = graphCase.Torch();
        var cnnGen = network.ParameterTensors.Select(t => $"{t.Name} ({string.Join(", ", t.Shape)})").ToArray();
        var expected = torch.NamedParameterShapes.Select(p => $"{p.Name} ({string.Join(", ", p.Shape)})").ToArray();
        output.WriteLine($"{name}: {string.Join(", ", cnnGen)}");
        Assert.Equal(expected, cnnGen);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Forward_and_backward_match_torch(string name)
    {
        GraphCase graphCase = GraphNetworks.ByName[name];
        var (torch, network, random) = Setup(graphCase);
        using (torch)
        {
            float[] inputs = TestData.Uniform(random, VectorJacobianBatch * network.InputLength, -3f, 3f);
            float[] outputGradient = TestData.Uniform(random, VectorJacobianBatch * network.OutputLength);
            long[] shape = graphCase.BatchShape(VectorJacobianBatch);
            var log = new ParityLog(output, $"{name}: {graphCase.Description}, input (N={VectorJacobianBatch}, {string.Join(", ", graphCase.InputShape)}), L = Σ output ⊙ R");

            TorchOutput inference = torch.Forward(inputs, shape);
            Assert.Equal(VectorJacobianBatch, inference.Shape[0]);
            Assert.Equal(network.OutputLength, (int)inference.Shape.Skip(1).Aggregate(1L, (a, b) => a * b));
            var outputs = new float[VectorJacobianBatch * network.OutputLength];
            network.IsTraining = false;
            network.ForwardBatch(inputs, outputs, VectorJacobianBatch);
            log.Compare("forward (inference, ForwardBatch)", outputs, inference.Values);

            var single = new float[outputs.Length];
            for (int n = 0; n < VectorJacobianBatch; n++)
            {
                network.Forward(inputs.AsSpan(n * network.InputLength, network.InputLength), single.AsSpan(n * network.OutputLength, network.OutputLength));
            }

            log.Compare("forward (inference, Forward per sample)", single, inference.Values);

            torch.Training = true;
            TorchVectorJacobian expected = torch.Backward(inputs, shape, outputGradient);
            network.IsTraining = true;
            Array.Clear(outputs);
            network.ForwardBatch(inputs, outputs, VectorJacobianBatch);
            log.Compare("forward (training)", outputs, expected.Output);

            network.ZeroGradients();
            var inputGradient = new float[inputs.Length];
            network.BackwardBatch(outputGradient, inputGradient, VectorJacobianBatch);
            log.CompareTensors("dL/d", network, network.Gradients, expected.ParameterGradients);
            log.Compare("dL/dinput", inputGradient, expected.InputGradient);
            log.AssertAllWithin();
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Loss_and_every_gradient_match_torch_cross_entropy_backward(string name)
    {
        GraphCase graphCase = GraphNetworks.ByName[name];
        var (torch, network, random) = Setup(graphCase);
        using (torch)
        {
            float[] inputs = TestData.Uniform(random, TrainingBatch * network.InputLength);
            int[] labels = TestData.Labels(random, TrainingBatch, network.OutputLength);
            var log = new ParityLog(output, $"{name}: CrossEntropyLoss (mean) backward, batch {TrainingBatch}");
            torch.Training = true;
            TorchBackward expected = torch.CrossEntropyBackward(inputs, graphCase.BatchShape(TrainingBatch), labels.Select(l => (long)l).ToArray());

            network.IsTraining = true;
            var logits = new float[TrainingBatch * network.OutputLength];
            network.ForwardBatch(inputs, logits, TrainingBatch);
            var outputGradient = new float[logits.Length];
            float loss = SoftmaxCrossEntropy.Instance.Backward(logits, labels, outputGradient);
            network.ZeroGradients();
            var inputGradient = new float[inputs.Length];
            network.BackwardBatch(outputGradient, inputGradient, TrainingBatch);

            log.Compare("logits (training-mode ForwardBatch)", logits, expected.Logits);
            log.Compare("loss", loss, expected.Loss);
            log.CompareTensors("dL/d", network, network.Gradients, expected.ParameterGradients);
            log.Compare("dL/dinput", inputGradient, expected.InputGradient);
            log.AssertAllWithin();
        }
    }

    [Theory]
    [MemberData(nameof(Trainable))]
    public void Three_Adam_steps_match_torch_optim_Adam(string name)
    {
        GraphCase graphCase = GraphNetworks.ByName[name];
        var (torch, network, random) = Setup(graphCase);
        using (torch)
        {
            float[] inputs = TestData.Uniform(random, TrainingBatch * network.InputLength);
            int[] labels = TestData.Labels(random, TrainingBatch, network.OutputLength);
            var log = new ParityLog(output, $"{name}: {Steps} Adam steps (lr {AdamLearningRate}, betas (0.9, 0.999), eps 1e-8), CrossEntropyLoss of the flattened output, one batch of {TrainingBatch}");
            torch.Training = true;
            TorchTraining expected = torch.TrainAdam(inputs, graphCase.BatchShape(TrainingBatch), labels.Select(l => (long)l).ToArray(), out var float32Autograd, Steps, AdamLearningRate);
            for (int step = 0; step < Steps; step++)
            {
                // Not asserted: how far libtorch's float32 autograd is from the float64 gradient that the
                // reference steps with (the README's float32 convolution input-gradient bug).
                log.Note(Float32AutogradDeviation(step + 1, float32Autograd[step], expected.Gradients[step]));
            }


            var adam = new Adam(network.ParameterCount, AdamLearningRate);
            var losses = new float[Steps];
            var logits = new float[TrainingBatch * network.OutputLength];
            var outputGradient = new float[logits.Length];
            network.IsTraining = true;
            for (int step = 0; step < Steps; step++)
            {
                network.ForwardBatch(inputs, logits, TrainingBatch);
                losses[step] = SoftmaxCrossEntropy.Instance.Backward(logits, labels, outputGradient);
                network.ZeroGradients();
                network.BackwardBatch(outputGradient, default, TrainingBatch);
                adam.Step(network.Parameters, network.Gradients);
            }

            for (int step = 0; step < Steps; step++)
            {
                log.Compare($"loss before step {step + 1}", losses[step], expected.Losses[step]);
            }

            bool[] illConditioned = ReferenceNetworkParityTests.AdamIllConditioned(expected.Gradients);
            log.Note($"{illConditioned.Count(c => c)} of {illConditioned.Length} elements excluded as ill-conditioned for Adam (first nonzero torch gradient below 1E-6)");
            double worstExcluded = log.CompareTensors("after 3 steps:", network, network.Parameters, expected.Parameters, illConditioned);
            log.AssertAllWithin();
            Assert.True(worstExcluded <= 2 * 1.01 * Steps * AdamLearningRate, $"ill-conditioned elements differ by {worstExcluded}");
        }
    }

    /// <summary>One note line: libtorch's float32 autograd gradient against the float64 twin's (not asserted).</summary>
    private static string Float32AutogradDeviation(int step, float[] float32, float[] float64)
    {
        var difference = Difference.Of("x", float32, float64);
        int nan = float32.Count(float.IsNaN);
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"torch float32 autograd vs float64 twin, step {step}: max|Δ|={difference.MaxAbsolute:0.00E+00} rel={difference.Relative:0.00E+00}, NaN {nan}, worst [{difference.WorstIndex}] float32 {difference.Actual:G9} float64 {difference.Expected:G9} (not asserted; the reference steps with the float64 gradient)");
    }

    /// <summary>
    /// A CnnGen network with its own seeded initialization, the torch model holding the same parameters
    /// (copied by state_dict name), and a random source for the data.
    /// </summary>
    private static (TorchGraph Torch, INetwork Network, Random Random) Setup(GraphCase graphCase)
    {
        int seed = TestData.StableSeed(graphCase.Name);
        INetwork network = graphCase.Create();
        network.ResetParameters(seed);
        TorchGraph torch = graphCase.Torch();
        torch.CopyParametersFrom(network);
        Assert.Equal(network.Parameters.ToArray(), torch.GetParameters());
        return (torch, network, new Random(seed));
    }
}
