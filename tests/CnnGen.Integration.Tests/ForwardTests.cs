using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;
using CnnGen.Runtime;

namespace CnnGen.Integration.Tests;

/// <summary>Every declared network's shapes, parameter layout and forward pass against the double-precision oracle.</summary>
public sealed class ForwardTests
{
    public static TheoryData<string> AllNetworks => NetworkCases.Names();

    [Theory]
    [MemberData(nameof(AllNetworks))]
    public void Lengths_and_parameter_tensors_match_the_oracle(string name)
    {
        NetworkCase network = NetworkCases.ByName[name];
        INetwork net = network.Create();

        Assert.Equal(network.Oracle.InputShape.Size, net.InputLength);
        Assert.Equal(network.Oracle.OutputShape.Size, net.OutputLength);
        Assert.Equal(network.Oracle.ParameterCount, net.ParameterCount);
        Assert.Equal(net.ParameterCount, net.Parameters.Length);
        Assert.Equal(net.ParameterCount, net.Gradients.Length);

        var expected = network.Oracle.ParameterTensors().ToList();
        Assert.Equal(expected.Count, net.ParameterTensors.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            ParameterTensor actual = net.ParameterTensors[i];
            Assert.Equal(expected[i].Offset, actual.Offset);
            Assert.Equal(expected[i].Shape, actual.Shape);
            Assert.Equal(expected[i].Shape.Aggregate(1, (a, b) => a * b), actual.Length);
            // A weight of more than one axis is always .weight; a vector is a bias, or a BatchNorm's γ (.weight).
            Assert.Matches(expected[i].Shape.Length == 1 ? @"\.(weight|bias)$" : @"\.weight$", actual.Name);
        }
    }

    [Theory]
    [MemberData(nameof(AllNetworks))]
    public void ForwardBatch_and_Forward_match_the_oracle_for_batches_of_1_and_3(string name)
    {
        NetworkCase network = NetworkCases.ByName[name];
        INetwork net = network.Create();
        var random = new Random(TestData.StableSeed(name));
        TestData.FillParameters(random, network.Oracle, net.Parameters);
        double[] parameters = TestData.ToDouble(net.Parameters);

        float[] batchOf3 = [];
        foreach (int batchSize in (int[])[1, 3])
        {
            float[] inputs = TestData.Uniform(random, batchSize * net.InputLength);
            var outputs = new float[batchSize * net.OutputLength];
            net.ForwardBatch(inputs, outputs, batchSize);
            double[] expected = network.Oracle.ForwardBatch(parameters, TestData.ToDouble(inputs), batchSize);
            NumericAssert.ForwardClose(expected, outputs, $"{name} ForwardBatch({batchSize})");
            batchOf3 = inputs;
        }

        // One sample at a time, after the batch grew the buffers.
        var output = new float[net.OutputLength];
        for (int n = 0; n < 3; n++)
        {
            ReadOnlySpan<float> sample = batchOf3.AsSpan(n * net.InputLength, net.InputLength);
            net.Forward(sample, output);
            double[] expected = network.Oracle.Forward(parameters, TestData.ToDouble(sample));
            NumericAssert.ForwardClose(expected, output, $"{name} Forward(sample {n})");
        }
    }

    /// <summary>
    /// Inference reads the caller's input and writes its output in place unless the two overlap; an
    /// output laid over the input's second half must come out as if they were apart.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllNetworks))]
    public void ForwardBatch_with_the_output_overlapping_the_input_matches_the_oracle(string name)
    {
        const int batchSize = 3;
        NetworkCase network = NetworkCases.ByName[name];
        INetwork net = network.Create();
        var random = new Random(TestData.StableSeed(name) + 1);
        TestData.FillParameters(random, network.Oracle, net.Parameters);
        int inputLength = batchSize * net.InputLength, outputLength = batchSize * net.OutputLength, outputStart = inputLength / 2;
        var buffer = new float[Math.Max(inputLength, outputStart + outputLength)];
        TestData.Uniform(random, inputLength).CopyTo(buffer, 0);
        double[] expected = network.Oracle.ForwardBatch(TestData.ToDouble(net.Parameters), TestData.ToDouble(buffer.AsSpan(0, inputLength)), batchSize);

        net.ForwardBatch(buffer.AsSpan(0, inputLength), buffer.AsSpan(outputStart, outputLength), batchSize);

        NumericAssert.ForwardClose(expected, buffer.AsSpan(outputStart, outputLength).ToArray(), $"{name} ForwardBatch over its own input");
    }
}
