using CnnGen.Integration.Tests.Networks;
using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;
using CnnGen.Runtime;

namespace CnnGen.Integration.Tests;

/// <summary>Activations far outside ±1: softmax must not overflow, sigmoid and tanh must saturate cleanly, gradients stay finite.</summary>
public sealed class SaturationTests
{
    public static TheoryData<string> Activations => new() { "SoftmaxOnInput", "SigmoidOnInput", "TanhOnInput", "FlattenSoftmax" };

    [Theory]
    [MemberData(nameof(Activations))]
    public void Inputs_up_to_200_give_finite_outputs_and_gradients_matching_the_oracle(string name)
    {
        NetworkCase network = NetworkCases.ByName[name];
        INetwork net = network.Create();
        var random = new Random(200);
        float[] inputs = TestData.Uniform(random, 2 * net.InputLength, -200, 200);
        var outputs = new float[inputs.Length / net.InputLength * net.OutputLength];
        net.IsTraining = true;
        net.ForwardBatch(inputs, outputs, 2);
        NumericAssert.ForwardClose(network.Oracle.ForwardBatch([], TestData.ToDouble(inputs), 2), outputs, name);

        float[] outputWeights = TestData.Uniform(random, outputs.Length);
        var inputGradient = new float[inputs.Length];
        net.BackwardBatch(outputWeights, inputGradient, 2);
        Assert.All(inputGradient, g => Assert.True(float.IsFinite(g), $"{name}: gradient {g}"));
    }
}
