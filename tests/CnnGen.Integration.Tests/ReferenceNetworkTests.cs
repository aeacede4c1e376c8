using CnnGen.Integration.Tests.Networks;
using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests;

/// <summary>LeNet-5 as a whole: PyTorch's state_dict, the composed oracle, and a finite-difference spot check.</summary>
public sealed class ReferenceNetworkTests
{
    [Fact]
    public void LeNet5_parameter_tensors_are_PyTorchs()
    {
        (string Name, int Length, int[] Shape)[] expected =
        [
            ("conv1.weight", 150, [6, 1, 5, 5]), ("conv1.bias", 6, [6]),
            ("conv2.weight", 2400, [16, 6, 5, 5]), ("conv2.bias", 16, [16]),
            ("dense1.weight", 48000, [120, 400]), ("dense1.bias", 120, [120]),
            ("dense2.weight", 10080, [84, 120]), ("dense2.bias", 84, [84]),
            ("dense3.weight", 840, [10, 84]), ("dense3.bias", 10, [10]),
        ];

        Assert.Equal(61706, LeNet5.ParameterCount);
        Assert.Equal(expected.Length, LeNet5.ParameterTensors.Count);
        int offset = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Name, LeNet5.ParameterTensors[i].Name);
            Assert.Equal(expected[i].Length, LeNet5.ParameterTensors[i].Length);
            Assert.Equal(expected[i].Shape, LeNet5.ParameterTensors[i].Shape);
            Assert.Equal(offset, LeNet5.ParameterTensors[i].Offset);
            offset += expected[i].Length;
        }

        int[] perLayer = Enumerable.Range(0, 5).Select(layer => LeNet5.ParameterTensors[2 * layer].Length + LeNet5.ParameterTensors[(2 * layer) + 1].Length).ToArray();
        Assert.Equal(new[] { 156, 2416, 48120, 10164, 850 }, perLayer);
    }

    [Fact]
    public void LeNet5_forward_is_the_composition_of_the_oracles()
    {
        var net = new LeNet5();
        net.ResetParameters(3);
        double[] parameters = TestData.ToDouble(net.Parameters);
        float[] inputs = TestData.Uniform(new Random(3), 2 * LeNet5.InputLength);
        var outputs = new float[2 * LeNet5.OutputLength];

        net.ForwardBatch(inputs, outputs, 2);

        NumericAssert.ForwardClose(ReferenceNetworks.LeNet5Oracle.ForwardBatch(parameters, TestData.ToDouble(inputs), 2), outputs, "LeNet5");
    }

    [Fact]
    public void LeNet5_gradients_of_50_parameters_match_finite_differences()
    {
        const int batchSize = 2;
        var net = new LeNet5 { IsTraining = true };
        var random = new Random(50);
        OracleNetwork oracle = ReferenceNetworks.LeNet5Oracle;
        TestData.FillParameters(random, oracle, net.Parameters);
        float[] inputs = TestData.Uniform(random, batchSize * LeNet5.InputLength);
        float[] outputWeights = TestData.Uniform(random, batchSize * LeNet5.OutputLength);

        net.ForwardBatch(inputs, new float[batchSize * LeNet5.OutputLength], batchSize);
        net.ZeroGradients();
        net.BackwardBatch(outputWeights, default, batchSize);

        // Five random parameters from each of the ten tensors.
        int[] indices = LeNet5.ParameterTensors
            .SelectMany(tensor => Enumerable.Range(0, 5).Select(_ => tensor.Offset + random.Next(tensor.Length)))
            .ToArray();
        double[] expected = FiniteDifferences.ParameterGradient(oracle, TestData.ToDouble(net.Parameters), TestData.ToDouble(inputs), batchSize, TestData.ToDouble(outputWeights), indices);
        float[] actual = indices.Select(i => net.Gradients[i]).ToArray();
        NumericAssert.GradientClose(expected, actual, "LeNet5 dLoss/dParameters at " + string.Join(", ", indices));
    }
}
