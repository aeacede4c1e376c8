using CnnGen.Integration.Tests.Support;
using CnnGen.Runtime;

namespace CnnGen.Integration.Tests;

/// <summary>
/// One network instance driven through growing and shrinking batches, mixed with inference calls,
/// gives the same results as a fresh instance at each step: no stale cached buffers.
/// </summary>
public sealed class BatchSequenceTests
{
    public static TheoryData<string> Networks => new() { "MixedStack", "TwoConvs", "ConvS2P1D2", "MaxPool3S2", "DenseSoftmax" };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Reused_instance_matches_a_fresh_one_for_batches_1_3_2(string name)
    {
        NetworkCase network = NetworkCases.ByName[name];
        INetwork reused = network.Create();
        var random = new Random(TestData.StableSeed(name) + 3);
        TestData.FillParameters(random, network.Oracle, reused.Parameters);
        reused.IsTraining = true;

        foreach (int batchSize in (int[])[1, 3, 2])
        {
            float[] inputs = TestData.Uniform(random, batchSize * reused.InputLength);
            float[] outputWeights = TestData.Uniform(random, batchSize * reused.OutputLength);

            reused.Forward(inputs.AsSpan(0, reused.InputLength), new float[reused.OutputLength]); // inference in between
            (float[] outputs, float[] gradients, float[] inputGradient) = Step(reused, inputs, outputWeights, batchSize);

            INetwork fresh = network.Create();
            reused.Parameters.CopyTo(fresh.Parameters);
            fresh.IsTraining = true;
            (float[] freshOutputs, float[] freshGradients, float[] freshInputGradient) = Step(fresh, inputs, outputWeights, batchSize);

            Assert.Equal(freshOutputs, outputs);
            Assert.Equal(freshGradients, gradients);
            Assert.Equal(freshInputGradient, inputGradient);
        }
    }

    private static (float[] Outputs, float[] Gradients, float[] InputGradient) Step(INetwork net, float[] inputs, float[] outputWeights, int batchSize)
    {
        var outputs = new float[outputWeights.Length];
        var inputGradient = new float[inputs.Length];
        net.ForwardBatch(inputs, outputs, batchSize);
        net.ZeroGradients();
        net.BackwardBatch(outputWeights, inputGradient, batchSize);
        return (outputs, net.Gradients.ToArray(), inputGradient);
    }
}
