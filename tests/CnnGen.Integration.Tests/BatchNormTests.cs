using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests;

[Network]
[Input(2, 5, 5)]
[Conv2D(3, 3, Padding = 1, Bias = false), BatchNorm2D(Momentum = 0.2), Relu]
[GlobalAvgPool2D, Flatten, Dense(2)]
internal partial class ConvBatchNorm;

/// <summary>
/// BatchNorm2D's training mode — batch statistics, running statistics, num_batches_tracked, backward through the
/// batch statistics — against a double-precision reference of the whole network written here from PyTorch's
/// definition (<c>nn.BatchNorm2d</c>: biased variance to normalize, unbiased in the running variance).
/// </summary>
public sealed class BatchNormTests
{
    private const int Channels = 3, Plane = 25, Batch = 4;
    private const double Epsilon = 1e-5, Momentum = 0.2;
    private static readonly Shape InputShape = new(2, 5, 5);
    private static readonly ConvOracle Convolution = ConvOracle.Explicit(Channels, 3, 3, padding: 1, bias: false);
    private const int Gamma = 54, Beta = 57, DenseWeight = 60, DenseBias = 66; // Parameters: conv1.weight (3, 2, 3, 3), bn1.weight, bn1.bias, dense1.weight (2, 3), dense1.bias

    [Fact]
    public void Training_forward_normalizes_by_the_batch_and_moves_the_running_statistics()
    {
        var net = new ConvBatchNorm();
        var random = new Random(7);
        FillParameters(net, random);
        double[] parameters = TestData.ToDouble(net.Parameters);
        double[] runningMean = new double[Channels], runningVar = Enumerable.Repeat(1.0, Channels).ToArray();
        net.IsTraining = true;
        for (int step = 0; step < 3; step++)
        {
            float[] inputs = TestData.Uniform(random, Batch * ConvBatchNorm.InputLength, -1 + step, 2 + step);
            var outputs = new float[Batch * ConvBatchNorm.OutputLength];
            net.ForwardBatch(inputs, outputs, Batch);
            double[] expected = Reference(parameters, TestData.ToDouble(inputs), Batch, training: true, runningMean, runningVar);
            NumericAssert.ForwardClose(expected, outputs, $"training forward, step {step}");
        }

        NumericAssert.ForwardClose(runningMean.Concat(runningVar).ToArray(), net.State, "running_mean, running_var after 3 steps");
        Assert.Equal(3, net.BatchesTracked[0]);
        Assert.Equal(["bn1.running_mean", "bn1.running_var"], ConvBatchNorm.StateTensors.Select(tensor => tensor.Name));
        Assert.Equal([0, 3], ConvBatchNorm.StateTensors.Select(tensor => tensor.Offset));
        Assert.Equal(["bn1.num_batches_tracked"], ConvBatchNorm.BatchesTrackedNames);

        // Inference reads the running statistics, and moves nothing.
        net.IsTraining = false;
        float[] sample = TestData.Uniform(random, ConvBatchNorm.InputLength);
        var output = new float[ConvBatchNorm.OutputLength];
        net.Forward(sample, output);
        NumericAssert.ForwardClose(Reference(parameters, TestData.ToDouble(sample), 1, training: false, runningMean, runningVar), output, "inference forward");
        NumericAssert.ForwardClose(runningMean.Concat(runningVar).ToArray(), net.State, "running statistics after inference");
        Assert.Equal(3, net.BatchesTracked[0]);
    }

    [Fact]
    public void Training_backward_matches_finite_differences_through_the_batch_statistics()
    {
        var net = new ConvBatchNorm();
        var random = new Random(11);
        FillParameters(net, random);
        double[] parameters = TestData.ToDouble(net.Parameters);
        float[] inputs = TestData.Uniform(random, Batch * ConvBatchNorm.InputLength);
        float[] outputWeights = TestData.Uniform(random, Batch * ConvBatchNorm.OutputLength);
        double[] x = TestData.ToDouble(inputs), weights = TestData.ToDouble(outputWeights);

        net.IsTraining = true;
        net.ForwardBatch(inputs, new float[Batch * ConvBatchNorm.OutputLength], Batch);
        net.ZeroGradients();
        float[] inputGradient = new float[inputs.Length];
        net.BackwardBatch(outputWeights, inputGradient, Batch);

        double Loss(double[] p, double[] input) =>
            Reference(p, input, Batch, training: true, new double[Channels], new double[Channels]).Zip(weights, (o, w) => o * w).Sum();
        double[] expectedParameters = Enumerable.Range(0, parameters.Length).Select(i => Derivative(parameters, i, p => Loss(p, x))).ToArray();
        double[] expectedInput = Enumerable.Range(0, x.Length).Select(i => Derivative(x, i, input => Loss(parameters, input))).ToArray();
        NumericAssert.GradientClose(expectedParameters, net.Gradients, "dLoss/dParameters");
        NumericAssert.GradientClose(expectedInput, inputGradient, "dLoss/dInput (every sample moves every output through the batch mean)");
    }

    [Fact]
    public void A_new_network_and_ResetParameters_start_from_PyTorchs_values()
    {
        var net = new ConvBatchNorm();
        Assert.Equal([1f, 1f, 1f, 0f, 0f, 0f], net.Parameters.Slice(Gamma, 2 * Channels).ToArray());
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 1f], net.State.ToArray());

        net.IsTraining = true;
        net.ForwardBatch(TestData.Uniform(new Random(3), Batch * ConvBatchNorm.InputLength, 1, 2), new float[Batch * ConvBatchNorm.OutputLength], Batch);
        Assert.NotEqual([0f, 0f, 0f, 1f, 1f, 1f], net.State.ToArray());
        net.ResetParameters(5);
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 1f], net.State.ToArray());
        Assert.Equal(0, net.BatchesTracked[0]);
        Assert.Equal([1f, 1f, 1f, 0f, 0f, 0f], net.Parameters.Slice(Gamma, 2 * Channels).ToArray());
    }

    private static void FillParameters(ConvBatchNorm net, Random random)
    {
        TestData.Uniform(random, net.Parameters.Length, -0.5, 0.5).CopyTo(net.Parameters);
        TestData.Uniform(random, Channels, 0.5, 1.5).CopyTo(net.Parameters.Slice(Gamma, Channels)); // γ away from 0
    }

    /// <summary>
    /// The network in double: convolution (the oracle), batch norm over N·H·W per channel — batch statistics and the
    /// running update in training, else the running statistics — ReLU, the plane means, the dense layer.
    /// </summary>
    private static double[] Reference(double[] p, double[] inputs, int batch, bool training, double[] runningMean, double[] runningVar)
    {
        var convolved = new double[batch][];
        for (int n = 0; n < batch; n++)
        {
            convolved[n] = Convolution.Forward(InputShape, inputs.AsSpan(n * InputShape.Size, InputShape.Size).ToArray(), p);
        }

        var outputs = new double[batch * 2];
        var features = new double[batch, Channels];
        for (int c = 0; c < Channels; c++)
        {
            IEnumerable<double> values = Enumerable.Range(0, batch).SelectMany(n => convolved[n].Skip(c * Plane).Take(Plane));
            double count = batch * Plane, mean = values.Average(), variance = values.Sum(v => (v - mean) * (v - mean)) / count;
            if (training)
            {
                runningMean[c] = ((1 - Momentum) * runningMean[c]) + (Momentum * mean);
                runningVar[c] = ((1 - Momentum) * runningVar[c]) + (Momentum * variance * count / (count - 1));
            }
            else
            {
                (mean, variance) = (runningMean[c], runningVar[c]);
            }

            for (int n = 0; n < batch; n++)
            {
                double sum = 0;
                for (int i = 0; i < Plane; i++)
                {
                    double normalized = ((convolved[n][(c * Plane) + i] - mean) / Math.Sqrt(variance + Epsilon) * p[Gamma + c]) + p[Beta + c];
                    sum += Math.Max(0, normalized);
                }

                features[n, c] = sum / Plane;
            }
        }

        for (int n = 0; n < batch; n++)
        {
            for (int u = 0; u < 2; u++)
            {
                double sum = p[DenseBias + u];
                for (int c = 0; c < Channels; c++)
                {
                    sum += p[DenseWeight + (u * Channels) + c] * features[n, c];
                }

                outputs[(n * 2) + u] = sum;
            }
        }

        return outputs;
    }

    private static double Derivative(double[] point, int index, Func<double[], double> loss)
    {
        const double step = 1e-5;
        double saved = point[index];
        point[index] = saved + step;
        double up = loss(point);
        point[index] = saved - step;
        double down = loss(point);
        point[index] = saved;
        return (up - down) / (2 * step);
    }
}
