using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;
using CnnGen.Runtime;

namespace CnnGen.Integration.Tests;

/// <summary>
/// BackwardBatch against central finite differences of the double oracle, for the loss
/// <c>L = Σ output · R</c> with a fixed random R (so dLoss/dOutput = R).
/// </summary>
public sealed class BackwardTests
{
    private const int BatchSize = 3;

    /// <summary>Above this many parameters, a random sample of this many is differenced.</summary>
    private const int MaxDifferencedParameters = 600;

    /// <summary>Deterministic networks (no dropout) small enough for the double oracle (LeNet-5 has its own spot check).</summary>
    public static TheoryData<string> Differentiable => NetworkCases.Names(c => !c.OracleIsInferenceOnly && c.Oracle.ParameterCount <= 5000);

    public static TheoryData<string> WithParameters => NetworkCases.Names(c => !c.OracleIsInferenceOnly && c.Oracle.ParameterCount is > 0 and <= 5000);

    [Theory]
    [MemberData(nameof(Differentiable))]
    public void Gradients_and_input_gradient_match_finite_differences(string name)
    {
        NetworkCase network = NetworkCases.ByName[name];
        INetwork net = network.Create();
        var random = new Random(TestData.StableSeed(name) + 1);
        TestData.FillParameters(random, network.Oracle, net.Parameters);
        float[] inputs = TestData.Uniform(random, BatchSize * net.InputLength);
        float[] outputWeights = TestData.Uniform(random, BatchSize * net.OutputLength);
        double[] parameters = TestData.ToDouble(net.Parameters), inputsAsDouble = TestData.ToDouble(inputs), weights = TestData.ToDouble(outputWeights);

        net.IsTraining = true;
        var outputs = new float[BatchSize * net.OutputLength];
        net.ForwardBatch(inputs, outputs, BatchSize);
        NumericAssert.ForwardClose(network.Oracle.ForwardBatch(parameters, inputsAsDouble, BatchSize), outputs, $"{name} training-mode ForwardBatch");

        net.ZeroGradients();
        float[] inputGradient = Enumerable.Repeat(123f, BatchSize * net.InputLength).ToArray(); // must be overwritten, not added to
        net.BackwardBatch(outputWeights, inputGradient, BatchSize);

        int[] indices = net.ParameterCount <= MaxDifferencedParameters
            ? Enumerable.Range(0, net.ParameterCount).ToArray()
            : Enumerable.Range(0, MaxDifferencedParameters).Select(_ => random.Next(net.ParameterCount)).ToArray();
        double[] expectedGradients = FiniteDifferences.ParameterGradient(network.Oracle, parameters, inputsAsDouble, BatchSize, weights, indices);
        float[] gradients = net.Gradients.ToArray();
        NumericAssert.GradientClose(expectedGradients, indices.Select(i => gradients[i]).ToArray(), $"{name} dLoss/dParameters");
        double[] expectedInputGradient = FiniteDifferences.InputGradient(network.Oracle, parameters, inputsAsDouble, BatchSize, weights);
        NumericAssert.GradientClose(expectedInputGradient, inputGradient, $"{name} dLoss/dInput");
    }

    [Theory]
    [MemberData(nameof(WithParameters))]
    public void BackwardBatch_adds_into_Gradients_and_ZeroGradients_clears_them(string name)
    {
        NetworkCase network = NetworkCases.ByName[name];
        INetwork net = network.Create();
        var random = new Random(TestData.StableSeed(name) + 2);
        TestData.FillParameters(random, network.Oracle, net.Parameters);
        float[] inputs = TestData.Uniform(random, 2 * net.InputLength);
        float[] outputWeights = TestData.Uniform(random, 2 * net.OutputLength);
        net.IsTraining = true;
        net.ForwardBatch(inputs, new float[2 * net.OutputLength], 2);

        net.ZeroGradients();
        net.BackwardBatch(outputWeights, default, 2); // no input gradient requested
        float[] once = net.Gradients.ToArray();
        Assert.Contains(once, g => g != 0);

        net.BackwardBatch(outputWeights, default, 2);
        double[] twice = once.Select(g => 2.0 * g).ToArray();
        NumericAssert.Close(twice, net.Gradients, 1e-5, 1e-6, $"{name} Gradients after two BackwardBatch calls");

        net.ZeroGradients();
        Assert.All(net.Gradients.ToArray(), g => Assert.Equal(0f, g));

        // Asking for the input gradient does not change the parameter gradients.
        net.BackwardBatch(outputWeights, new float[2 * net.InputLength], 2);
        NumericAssert.Close(TestData.ToDouble(once), net.Gradients, 1e-5, 1e-6, $"{name} Gradients with an input gradient requested");
    }
}
