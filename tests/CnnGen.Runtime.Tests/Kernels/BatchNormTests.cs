using CnnGen.Runtime.Kernels;
using Xunit.Abstractions;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// <see cref="BatchNorm"/> against PyTorch's <c>nn.BatchNorm2d</c> written here as naive loops in double:
/// the training forward (batch mean, biased variance), the running statistics (unbiased variance), the
/// saved mean and 1/√(var + ε), the inference forward, and the backward against central differences of
/// a scalar loss L = Σ w ⊙ y through the double training forward.
/// </summary>
public class BatchNormTests(ITestOutputHelper log)
{
    private const float Momentum = 0.1f;
    private const float Epsilon = 1e-5f;

    // (N, C, P): P = 1, 7 (scalar tails only), 17 (a 16-float step and a tail), 49 (LeNet/ResNet 7×7),
    // 100, 784 (28×28); batch 1 with P > 1, batch 5; C = 3 with means and spreads that differ by channel.
    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 2, 3, 1 }, { 5, 3, 1 }, { 1, 3, 7 }, { 3, 3, 7 }, { 2, 3, 17 }, { 1, 3, 49 }, { 5, 3, 49 }, { 4, 2, 100 }, { 2, 3, 784 },
    };

    // The backward against finite differences: every input element is perturbed, so the shapes stay small.
    public static TheoryData<int, int, int> GradientShapes() => new()
    {
        { 2, 3, 1 }, { 5, 3, 1 }, { 1, 3, 7 }, { 3, 3, 7 }, { 2, 3, 17 }, { 1, 3, 49 }, { 5, 3, 49 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Training_forward_matches_the_naive_double_loop(int batch, int channels, int plane)
    {
        Operands o = Operands.Random(batch, channels, plane, seed: (batch * 1000) + plane);
        var output = new float[o.X.Length];
        output.AsSpan().Fill(float.NaN); // every element must be written
        float[] runningMean = (float[])o.RunningMean.Clone(), runningVar = (float[])o.RunningVar.Clone();
        var saved = new float[2 * channels];

        BatchNorm.ForwardTraining(o.X, output, batch, channels, plane, o.Gamma, o.Beta, runningMean, runningVar, Momentum, Epsilon, saved);

        Reference expected = Reference.Training(o, Wide(o.X));
        double yError = MaxRelativeError(output, expected.Y);
        log.WriteLine($"({batch}, {channels}, {plane}): y max |error|/max(1, |y|) = {yError:E2}");
        Assert.True(yError <= 1e-6, $"y: relative error {yError:E2}.");

        for (int c = 0; c < channels; c++)
        {
            AssertRelative(expected.Mean[c], saved[c], 1e-6, $"saved mean[{c}]", scale: expected.Std[c]);
            AssertRelative(1 / Math.Sqrt(expected.Variance[c] + Epsilon), saved[channels + c], 1e-6, $"saved invStd[{c}]");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Running_statistics_use_the_unbiased_variance(int batch, int channels, int plane)
    {
        Operands o = Operands.Random(batch, channels, plane, seed: (batch * 1000) + plane + 1);
        var output = new float[o.X.Length];
        float[] runningMean = (float[])o.RunningMean.Clone(), runningVar = (float[])o.RunningVar.Clone();

        BatchNorm.ForwardTraining(o.X, output, batch, channels, plane, o.Gamma, o.Beta, runningMean, runningVar, Momentum, Epsilon, new float[2 * channels]);

        Reference expected = Reference.Training(o, Wide(o.X));
        int count = batch * plane;
        for (int c = 0; c < channels; c++)
        {
            double mean = ((1 - (double)Momentum) * o.RunningMean[c]) + ((double)Momentum * expected.Mean[c]);
            double variance = ((1 - (double)Momentum) * o.RunningVar[c]) + ((double)Momentum * expected.Variance[c] * count / (count - 1));
            AssertRelative(mean, runningMean[c], 1e-6, $"runningMean[{c}]");
            AssertRelative(variance, runningVar[c], 1e-6, $"runningVar[{c}]");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Inference_forward_uses_the_running_statistics(int batch, int channels, int plane)
    {
        Operands o = Operands.Random(batch, channels, plane, seed: (batch * 1000) + plane + 2);
        var output = new float[o.X.Length];
        output.AsSpan().Fill(float.NaN);

        BatchNorm.ForwardInference(o.X, output, batch, channels, plane, o.Gamma, o.Beta, o.RunningMean, o.RunningVar, Epsilon);

        var expected = new double[o.X.Length];
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < plane; p++)
                {
                    int i = (((n * channels) + c) * plane) + p;
                    expected[i] = ((o.X[i] - (double)o.RunningMean[c]) / Math.Sqrt(o.RunningVar[c] + (double)Epsilon) * o.Gamma[c]) + o.Beta[c];
                }
            }
        }

        double error = MaxRelativeError(output, expected);
        log.WriteLine($"({batch}, {channels}, {plane}): inference y max |error|/max(1, |y|) = {error:E2}");
        Assert.True(error <= 1e-6, $"y: relative error {error:E2}.");
    }

    /// <summary>A channel at 1000 ± 1: y = x·scale + (β − mean·scale) would lose about 1e-4 to cancellation.</summary>
    [Fact]
    public void A_mean_large_against_the_spread_loses_nothing_to_cancellation()
    {
        Operands o = Operands.Random(4, 3, 49, seed: 5, offsets: [1000, -300, 50], spreads: [1, 0.5, 0.25]);
        var output = new float[o.X.Length];
        float[] runningMean = (float[])o.RunningMean.Clone(), runningVar = (float[])o.RunningVar.Clone();
        BatchNorm.ForwardTraining(o.X, output, 4, 3, 49, o.Gamma, o.Beta, runningMean, runningVar, Momentum, Epsilon, new float[6]);
        double error = MaxRelativeError(output, Reference.Training(o, Wide(o.X)).Y);
        log.WriteLine($"mean 1000 ± 1: training y max relative error {error:E2}");
        Assert.True(error <= 1e-6, $"y: relative error {error:E2}.");

        // Inference with the exact batch statistics as running statistics.
        Reference reference = Reference.Training(o, Wide(o.X));
        float[] mean = reference.Mean.Select(v => (float)v).ToArray(), variance = reference.Variance.Select(v => (float)v).ToArray();
        BatchNorm.ForwardInference(o.X, output, 4, 3, 49, o.Gamma, o.Beta, mean, variance, Epsilon);
        var expected = new double[o.X.Length];
        for (int i = 0; i < expected.Length; i++)
        {
            int c = i / 49 % 3;
            expected[i] = ((o.X[i] - (double)mean[c]) / Math.Sqrt(variance[c] + (double)Epsilon) * o.Gamma[c]) + o.Beta[c];
        }

        error = MaxRelativeError(output, expected);
        log.WriteLine($"mean 1000 ± 1: inference y max relative error {error:E2}");
        Assert.True(error <= 1e-6, $"inference y: relative error {error:E2}.");
    }

    [Theory]
    [MemberData(nameof(GradientShapes))]
    public void Backward_matches_central_differences_and_accumulates(int batch, int channels, int plane)
    {
        Operands o = Operands.Random(batch, channels, plane, seed: (batch * 1000) + plane + 3);
        float[] w = GemmReference.RandomValues(o.X.Length, seed: plane + 4); // dLoss/dy for L = Σ w ⊙ y
        var saved = new float[2 * channels];
        BatchNorm.ForwardTraining(o.X, new float[o.X.Length], batch, channels, plane, o.Gamma, o.Beta,
            (float[])o.RunningMean.Clone(), (float[])o.RunningVar.Clone(), Momentum, Epsilon, saved);

        var inputGradient = new float[o.X.Length];
        inputGradient.AsSpan().Fill(float.NaN); // overwritten
        float[] weightGradient = Enumerable.Repeat(0.5f, channels).ToArray(); // accumulated
        float[] biasGradient = Enumerable.Repeat(-0.25f, channels).ToArray();
        BatchNorm.Backward(o.X, w, inputGradient, batch, channels, plane, o.Gamma, saved, weightGradient, biasGradient);

        const double h = 1e-4;
        double[] x = Wide(o.X), gamma = Wide(o.Gamma), beta = Wide(o.Beta);
        double Loss() => Reference.Training(x, gamma, beta, batch, channels, plane).Y.Select((y, i) => y * w[i]).Sum();
        double Central(double[] values, int i)
        {
            double original = values[i];
            values[i] = original + h;
            double plus = Loss();
            values[i] = original - h;
            double minus = Loss();
            values[i] = original;
            return (plus - minus) / (2 * h);
        }

        var expectedInput = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            expectedInput[i] = Central(x, i);
        }

        // dx is a difference of terms as large as γ·invStd·|dy| (for M = 2 it is 0 up to ε): errors are
        // measured against that scale of its terms.
        Reference reference = Reference.Training(o, x);
        double inputError = 0;
        for (int i = 0; i < x.Length; i++)
        {
            int c = i / plane % channels;
            double scale = Math.Max(Math.Max(1, Math.Abs(expectedInput[i])), Math.Abs(o.Gamma[c]) / reference.Std[c] * Math.Abs(w[i]));
            inputError = Math.Max(inputError, Math.Abs(inputGradient[i] - expectedInput[i]) / scale);
        }

        double weightError = 0, biasError = 0;
        for (int c = 0; c < channels; c++)
        {
            double expectedWeight = 0.5 + Central(gamma, c), expectedBias = -0.25 + Central(beta, c);
            weightError = Math.Max(weightError, Math.Abs(weightGradient[c] - expectedWeight) / Math.Max(1, Math.Abs(expectedWeight)));
            biasError = Math.Max(biasError, Math.Abs(biasGradient[c] - expectedBias) / Math.Max(1, Math.Abs(expectedBias)));
        }

        log.WriteLine($"({batch}, {channels}, {plane}): dx {inputError:E2} (of γ·invStd·|dy|), dγ {weightError:E2}, dβ {biasError:E2} (max |error|/max(1, |expected|))");
        Assert.True(inputError <= 1e-5, $"dx: relative error {inputError:E2}.");
        Assert.True(weightError <= 1e-5, $"dγ: relative error {weightError:E2}.");
        Assert.True(biasError <= 1e-5, $"dβ: relative error {biasError:E2}.");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void An_empty_input_gradient_is_skipped_and_in_place_runs_agree(int batch, int channels, int plane)
    {
        Operands o = Operands.Random(batch, channels, plane, seed: plane + 5);
        float[] w = GemmReference.RandomValues(o.X.Length, seed: plane + 6);
        var output = new float[o.X.Length];
        var saved = new float[2 * channels];
        float[] runningMean = (float[])o.RunningMean.Clone(), runningVar = (float[])o.RunningVar.Clone();
        BatchNorm.ForwardTraining(o.X, output, batch, channels, plane, o.Gamma, o.Beta, runningMean, runningVar, Momentum, Epsilon, saved);

        // In place: the same results, bit for bit.
        float[] inPlace = (float[])o.X.Clone();
        float[] inPlaceMean = (float[])o.RunningMean.Clone(), inPlaceVar = (float[])o.RunningVar.Clone();
        var inPlaceSaved = new float[2 * channels];
        BatchNorm.ForwardTraining(inPlace, inPlace, batch, channels, plane, o.Gamma, o.Beta, inPlaceMean, inPlaceVar, Momentum, Epsilon, inPlaceSaved);
        Assert.Equal(output, inPlace);
        Assert.Equal(runningMean, inPlaceMean);
        Assert.Equal(runningVar, inPlaceVar);
        Assert.Equal(saved, inPlaceSaved);

        float[] inference = new float[o.X.Length], inferenceInPlace = (float[])o.X.Clone();
        BatchNorm.ForwardInference(o.X, inference, batch, channels, plane, o.Gamma, o.Beta, runningMean, runningVar, Epsilon);
        BatchNorm.ForwardInference(inferenceInPlace, inferenceInPlace, batch, channels, plane, o.Gamma, o.Beta, runningMean, runningVar, Epsilon);
        Assert.Equal(inference, inferenceInPlace);

        var inputGradient = new float[o.X.Length];
        float[] weightGradient = new float[channels], biasGradient = new float[channels];
        BatchNorm.Backward(o.X, w, inputGradient, batch, channels, plane, o.Gamma, saved, weightGradient, biasGradient);

        float[] skippedWeight = new float[channels], skippedBias = new float[channels];
        BatchNorm.Backward(o.X, w, Span<float>.Empty, batch, channels, plane, o.Gamma, saved, skippedWeight, skippedBias);
        Assert.Equal(weightGradient, skippedWeight);
        Assert.Equal(biasGradient, skippedBias);

        float[] gradientInPlace = (float[])w.Clone();
        float[] inPlaceWeight = new float[channels], inPlaceBias = new float[channels];
        BatchNorm.Backward(o.X, gradientInPlace, gradientInPlace, batch, channels, plane, o.Gamma, saved, inPlaceWeight, inPlaceBias);
        Assert.Equal(inputGradient, gradientInPlace);
        Assert.Equal(weightGradient, inPlaceWeight);
        Assert.Equal(biasGradient, inPlaceBias);
    }

    [Fact]
    public void A_warm_call_allocates_nothing()
    {
        const int batch = 4, channels = 3, plane = 49;
        Operands o = Operands.Random(batch, channels, plane, seed: 9);
        float[] output = new float[o.X.Length], inputGradient = new float[o.X.Length], saved = new float[2 * channels];
        float[] weightGradient = new float[channels], biasGradient = new float[channels];
        void Run()
        {
            BatchNorm.ForwardTraining(o.X, output, batch, channels, plane, o.Gamma, o.Beta, o.RunningMean, o.RunningVar, Momentum, Epsilon, saved);
            BatchNorm.ForwardInference(o.X, output, batch, channels, plane, o.Gamma, o.Beta, o.RunningMean, o.RunningVar, Epsilon);
            BatchNorm.Backward(o.X, output, inputGradient, batch, channels, plane, o.Gamma, saved, weightGradient, biasGradient);
            BatchNorm.Backward(o.X, output, Span<float>.Empty, batch, channels, plane, o.Gamma, saved, weightGradient, biasGradient);
        }

        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void One_value_per_channel_cannot_train_and_changes_nothing()
    {
        float[] runningMean = [0.5f, 0.25f], runningVar = [2f, 3f];
        var exception = Assert.Throws<ArgumentException>(() => BatchNorm.ForwardTraining(
            new float[2], new float[2], 1, 2, 1, new float[2], new float[2], runningMean, runningVar, Momentum, Epsilon, new float[4]));
        Assert.Contains("more than 1 value per channel", exception.Message);
        Assert.Equal([0.5f, 0.25f], runningMean);
        Assert.Equal([2f, 3f], runningVar);

        // Inference with one value per channel is fine.
        var output = new float[2];
        BatchNorm.ForwardInference([1f, 2f], output, 1, 2, 1, [1f, 1f], [0f, 0f], runningMean, runningVar, 0f);
        Assert.Equal((1 - 0.5) / Math.Sqrt(2), output[0], 1e-6);
    }

    [Fact]
    public void Wrong_lengths_are_rejected_naming_both()
    {
        float[] x = new float[2 * 3 * 5], c3 = new float[3], c2 = new float[2], saved = new float[6];
        Assert.Contains("input has 30 floats, not batch·channels·plane = 2·3·4 = 24",
            Assert.Throws<ArgumentException>(() => BatchNorm.ForwardInference(x, x, 2, 3, 4, c3, c3, c3, c3, Epsilon)).Message);
        Assert.Contains("output has 29 floats but input has 30",
            Assert.Throws<ArgumentException>(() => BatchNorm.ForwardInference(x, new float[29], 2, 3, 5, c3, c3, c3, c3, Epsilon)).Message);
        Assert.Contains("weight has 2 floats but channels is 3",
            Assert.Throws<ArgumentException>(() => BatchNorm.ForwardTraining(x, x, 2, 3, 5, c2, c3, c3, c3, Momentum, Epsilon, saved)).Message);
        Assert.Contains("runningVar has 2 floats but channels is 3",
            Assert.Throws<ArgumentException>(() => BatchNorm.ForwardTraining(x, x, 2, 3, 5, c3, c3, c3, c2, Momentum, Epsilon, saved)).Message);
        Assert.Contains("saved has 3 floats but 2·channels has 6",
            Assert.Throws<ArgumentException>(() => BatchNorm.ForwardTraining(x, x, 2, 3, 5, c3, c3, c3, c3, Momentum, Epsilon, c3)).Message);
        Assert.Contains("inputGradient has 29 floats but input has 30",
            Assert.Throws<ArgumentException>(() => BatchNorm.Backward(x, x, new float[29], 2, 3, 5, c3, saved, c3, c3)).Message);
        Assert.Contains("biasGradient has 2 floats but channels is 3",
            Assert.Throws<ArgumentException>(() => BatchNorm.Backward(x, x, Span<float>.Empty, 2, 3, 5, c3, saved, c3, c2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchNorm.ForwardInference([], [], 0, 3, 5, c3, c3, c3, c3, Epsilon));
    }

    [Fact]
    public void Partly_overlapping_spans_are_rejected()
    {
        var buffer = new float[31];
        float[] c3 = [1, 1, 1], saved = [0, 0, 0, 1, 1, 1];
        Assert.Contains("overlaps",
            Assert.Throws<ArgumentException>(() => BatchNorm.ForwardInference(buffer.AsSpan(0, 30), buffer.AsSpan(1, 30), 2, 3, 5, c3, c3, c3, c3, Epsilon)).Message);
        Assert.Throws<ArgumentException>(() => BatchNorm.ForwardTraining(
            buffer.AsSpan(1, 30), buffer.AsSpan(0, 30), 2, 3, 5, c3, c3, new float[3], new float[3], Momentum, Epsilon, new float[6]));
        var x = new float[30];
        Assert.Throws<ArgumentException>(() => BatchNorm.Backward(x, buffer.AsSpan(0, 30), buffer.AsSpan(1, 30), 2, 3, 5, c3, saved, new float[3], new float[3]));
    }

    private static double[] Wide(float[] values) => values.Select(v => (double)v).ToArray();

    // max |actual − expected| / max(1, |expected|).
    private static double MaxRelativeError(float[] actual, double[] expected)
    {
        double error = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Math.Abs(actual[i] - expected[i]) / Math.Max(1, Math.Abs(expected[i]));
            error = double.IsNaN(e) ? double.PositiveInfinity : Math.Max(error, e);
        }

        return error;
    }

    // |actual − expected| ≤ tolerance·max(|expected|, scale).
    private static void AssertRelative(double expected, float actual, double tolerance, string what, double scale = 0)
    {
        double error = Math.Abs(actual - expected);
        Assert.True(error <= tolerance * Math.Max(Math.Abs(expected), scale), $"{what} = {actual}, expected {expected} (error {error:E2}).");
    }

    /// <summary>x (N, C, P) as offset_c + spread_c·u with u uniform in [−1, 1]; γ in ±[0.5, 1.5]; β, running statistics random.</summary>
    private sealed record Operands(int Batch, int Channels, int Plane, float[] X, float[] Gamma, float[] Beta, float[] RunningMean, float[] RunningVar)
    {
        public static Operands Random(int batch, int channels, int plane, int seed, double[]? offsets = null, double[]? spreads = null)
        {
            offsets ??= [0.25, -3, 8, 1];
            spreads ??= [1, 0.5, 2, 0.75];
            var random = new Random(seed);
            var x = new float[batch * channels * plane];
            for (int i = 0; i < x.Length; i++)
            {
                int c = i / plane % channels;
                x[i] = (float)(offsets[c % offsets.Length] + (spreads[c % spreads.Length] * ((random.NextDouble() * 2) - 1)));
            }

            float[] Channels(Func<float> value) => Enumerable.Range(0, channels).Select(_ => value()).ToArray();
            return new Operands(batch, channels, plane, x,
                Channels(() => (float)((random.Next(2) == 0 ? -1 : 1) * (0.5 + random.NextDouble()))),
                Channels(() => (float)((random.NextDouble() * 2) - 1)),
                Channels(() => (float)((random.NextDouble() * 4) - 2)),
                Channels(() => (float)(0.5 + (random.NextDouble() * 2))));
        }
    }

    /// <summary>PyTorch's training forward in double: per channel over N·P, mean, biased variance, y.</summary>
    private sealed record Reference(double[] Y, double[] Mean, double[] Variance, double[] Std)
    {
        public static Reference Training(Operands o, double[] x) => Training(x, Wide(o.Gamma), Wide(o.Beta), o.Batch, o.Channels, o.Plane);

        public static Reference Training(double[] x, double[] gamma, double[] beta, int batch, int channels, int plane)
        {
            var y = new double[x.Length];
            double[] means = new double[channels], variances = new double[channels], stds = new double[channels];
            int count = batch * plane;
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                for (int n = 0; n < batch; n++)
                {
                    for (int p = 0; p < plane; p++)
                    {
                        sum += x[(((n * channels) + c) * plane) + p];
                    }
                }

                double mean = sum / count, squares = 0;
                for (int n = 0; n < batch; n++)
                {
                    for (int p = 0; p < plane; p++)
                    {
                        double d = x[(((n * channels) + c) * plane) + p] - mean;
                        squares += d * d;
                    }
                }

                double variance = squares / count;
                double std = Math.Sqrt(variance + (double)Epsilon);
                for (int n = 0; n < batch; n++)
                {
                    for (int p = 0; p < plane; p++)
                    {
                        int i = (((n * channels) + c) * plane) + p;
                        y[i] = ((x[i] - mean) / std * gamma[c]) + beta[c];
                    }
                }

                (means[c], variances[c], stds[c]) = (mean, variance, std);
            }

            return new Reference(y, means, variances, stds);
        }
    }
}
