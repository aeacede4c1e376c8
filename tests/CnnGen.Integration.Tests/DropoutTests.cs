using CnnGen.Integration.Tests.Networks;
using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests;

/// <summary>
/// Dropout in training mode: each value is zeroed or scaled by 1 / (1 − p), backward applies the same
/// mask to the gradient, about 1 − p of the values survive, and the mask comes from <c>Random</c>.
/// </summary>
public sealed class DropoutTests
{
    [Fact]
    public void Training_forward_and_backward_apply_one_mask()
    {
        const int batchSize = 3;
        const double p = 0.3;
        var net = new DropoutOnly { IsTraining = true };
        var random = new Random(31);
        float[] inputs = TestData.Uniform(random, batchSize * DropoutOnly.InputLength, 0.5, 1.5); // never zero
        float[] outputWeights = TestData.Uniform(random, batchSize * DropoutOnly.OutputLength);
        var outputs = new float[inputs.Length];
        net.ForwardBatch(inputs, outputs, batchSize);
        var inputGradient = new float[inputs.Length];
        net.BackwardBatch(outputWeights, inputGradient, batchSize);

        int kept = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            if (outputs[i] == 0)
            {
                Assert.Equal(0f, inputGradient[i]);
                continue;
            }

            kept++;
            Assert.Equal(inputs[i] / (1 - p), outputs[i], 1e-5);
            Assert.Equal(outputWeights[i] / (1 - p), inputGradient[i], 1e-5);
        }

        Assert.InRange(kept, 1, inputs.Length - 1); // some dropped, some kept
    }

    [Fact]
    public void About_one_minus_p_of_the_values_are_kept()
    {
        const int batchSize = 8, repeats = 5;
        var net = new DropoutHalf { IsTraining = true };
        float[] inputs = Enumerable.Repeat(1f, batchSize * DropoutHalf.InputLength).ToArray();
        var outputs = new float[inputs.Length];
        int kept = 0;
        for (int r = 0; r < repeats; r++)
        {
            net.ForwardBatch(inputs, outputs, batchSize);
            Assert.All(outputs, value => Assert.True(value is 0f or 2f, $"dropout(0.5) of 1 gave {value}"));
            kept += outputs.Count(value => value != 0);
        }

        double fraction = kept / (double)(repeats * inputs.Length); // 40,960 draws: σ ≈ 0.0025
        Assert.InRange(fraction, 0.49, 0.51);
    }

    [Fact]
    public void Masks_differ_between_batches_and_repeat_after_reseeding_Random()
    {
        var net = new DropoutHalf { IsTraining = true };
        float[] inputs = Enumerable.Repeat(1f, DropoutHalf.InputLength).ToArray();
        float[] first = new float[inputs.Length], second = new float[inputs.Length], again = new float[inputs.Length];

        net.Random.Reset(42);
        net.ForwardBatch(inputs, first, 1);
        net.ForwardBatch(inputs, second, 1);
        net.Random.Reset(42);
        net.ForwardBatch(inputs, again, 1);

        Assert.NotEqual(first, second);
        Assert.Equal(first, again);
    }

    [Fact]
    public void Inference_is_the_identity()
    {
        var net = new DropoutHalf { IsTraining = false };
        float[] inputs = TestData.Uniform(new Random(5), 2 * DropoutHalf.InputLength);
        var outputs = new float[inputs.Length];
        net.ForwardBatch(inputs, outputs, 2);
        Assert.Equal(inputs, outputs);
    }

    [Fact]
    public void Forward_is_inference_even_while_IsTraining_is_set()
    {
        var net = new DropoutHalf { IsTraining = true };
        float[] input = TestData.Uniform(new Random(6), DropoutHalf.InputLength);
        var output = new float[input.Length];
        net.Forward(input, output);
        Assert.Equal(input, output);
    }

    /// <summary>
    /// In Dense(8) → Dropout(0.5) → Dense(3) with one sample, dense2's weight gradient is
    /// R ⊗ (the dropped-out hidden vector), which reveals the mask; forward output and dense1's
    /// gradients must agree with that same mask.
    /// </summary>
    [Fact]
    public void Mask_between_dense_layers_is_the_same_in_forward_and_backward()
    {
        const double keepScale = 1 / (1 - 0.5);
        var net = new DenseDropoutDense { IsTraining = true };
        var random = new Random(77);
        var hiddenOracle = new OracleNetwork(new(2, 3, 3), new FlattenOracle(), new DenseOracle(8));
        TestData.FillParameters(random, hiddenOracle, net.Parameters[..hiddenOracle.ParameterCount]);
        TestData.Uniform(random, DenseDropoutDense.ParameterCount - hiddenOracle.ParameterCount).CopyTo(net.Parameters[hiddenOracle.ParameterCount..]);
        double[] parameters = TestData.ToDouble(net.Parameters);
        float[] input = TestData.Uniform(random, DenseDropoutDense.InputLength);
        float[] outputWeights = [0.5f, -1.25f, 2f];

        var output = new float[3];
        net.ForwardBatch(input, output, 1);
        net.ZeroGradients();
        net.BackwardBatch(outputWeights, default, 1);

        double[] hidden = hiddenOracle.Forward(parameters, TestData.ToDouble(input)); // before dropout
        const int dense1Bias = 144, dense2Weight = 152, dense2Bias = 176; // dense1 weight is 8 × 18
        var dropped = new double[8];
        for (int j = 0; j < 8; j++)
        {
            dropped[j] = net.Gradients[dense2Weight + j] / outputWeights[0]; // dW2[0, j] = R[0] · dropped[j]
            double keptValue = hidden[j] * keepScale;
            Assert.True(Math.Abs(dropped[j]) < 1e-6 || Math.Abs(dropped[j] - keptValue) < 1e-4, $"hidden {j}: {dropped[j]} is neither 0 nor {keptValue}");
        }

        Assert.Contains(dropped, value => Math.Abs(value) < 1e-6); // the mask both drops
        Assert.Contains(dropped, value => Math.Abs(value) >= 1e-6); // and keeps

        for (int u = 0; u < 3; u++)
        {
            double expected = parameters[dense2Bias + u];
            for (int j = 0; j < 8; j++)
            {
                expected += parameters[dense2Weight + (u * 8) + j] * dropped[j];
            }

            Assert.Equal(expected, output[u], 1e-4);
        }

        for (int j = 0; j < 8; j++)
        {
            double backprop = Enumerable.Range(0, 3).Sum(u => parameters[dense2Weight + (u * 8) + j] * outputWeights[u]);
            double expectedBiasGradient = Math.Abs(dropped[j]) < 1e-6 ? 0 : backprop * keepScale;
            Assert.Equal(expectedBiasGradient, net.Gradients[dense1Bias + j], 1e-4);
        }
    }
}
