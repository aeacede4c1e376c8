using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// The whole-batch passes split over two workers (<see cref="ElementwiseParallel"/>) at ResNet-8's batch-64 sizes:
/// the bits of one thread (each element is computed alone), a naive loop's values, and no allocation once warm.
/// </summary>
[Collection(nameof(ThreadCountCollection))]
public sealed class ElementwiseParallelTests
{
    private const int Batch = 64, Channels = 16, Plane = 784;

    [Fact]
    public void Relu_on_two_threads_is_the_naive_max_and_allocates_nothing()
    {
        float[] values = GemmReference.RandomValues(Batch * Channels * Plane + 5, seed: 31).Select(v => v - 0.5f).ToArray();
        float[] expected = values.Select(v => Math.Max(v, 0f)).ToArray();
        OnTwoThreads(() =>
        {
            float[] split = (float[])values.Clone();
            Assert.True(ElementwiseParallel.TryRelu(split), "the pass must be large enough to be split");
            Assert.Equal(expected, split);
            split = (float[])values.Clone();
            Relu.Forward(split);
            Assert.Equal(expected, split);
            WarmCalls.AssertSomeCallAllocatesNothing(() => Relu.Forward(split), "ReLU on two threads");
        });
    }

    [Fact]
    public void BatchNorm_inference_on_two_threads_gives_the_bits_of_one_in_place_too()
    {
        float[] x = GemmReference.RandomValues(Batch * Channels * Plane, seed: 32);
        float[] gamma = GemmReference.RandomValues(Channels, seed: 33), beta = GemmReference.RandomValues(Channels, seed: 34);
        float[] mean = GemmReference.RandomValues(Channels, seed: 35), variance = GemmReference.RandomValues(Channels, seed: 36).Select(v => Math.Abs(v) + 0.1f).ToArray();
        float[] single = Run(1, output => BatchNorm.ForwardInference(x, output, Batch, Channels, Plane, gamma, beta, mean, variance, 1e-5f));
        float[] split = Run(2, output => BatchNorm.ForwardInference(x, output, Batch, Channels, Plane, gamma, beta, mean, variance, 1e-5f));
        Assert.Equal(single, split);
        for (int i = 0; i < x.Length; i += 997)
        {
            int c = i / Plane % Channels;
            double expected = ((x[i] - (double)mean[c]) / Math.Sqrt(variance[c] + 1e-5) * gamma[c]) + beta[c];
            Assert.True(Math.Abs(split[i] - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"y[{i}] = {split[i]}, naive {expected}");
        }

        float[] inPlace = Run(2, output =>
        {
            x.CopyTo(output, 0);
            BatchNorm.ForwardInference(output, output, Batch, Channels, Plane, gamma, beta, mean, variance, 1e-5f);
        });
        Assert.Equal(single, inPlace);
    }

    [Fact]
    public void GlobalAveragePool_on_two_threads_gives_the_bits_of_one()
    {
        const int rows = Batch * 64, plane = 49;
        float[] x = GemmReference.RandomValues(rows * plane, seed: 37);
        float[] single = Run(1, output => GlobalAveragePool.Forward(x, output, rows, plane), rows);
        float[] split = Run(2, output => GlobalAveragePool.Forward(x, output, rows, plane), rows);
        Assert.Equal(single, split);
        for (int r = 0; r < rows; r += 131)
        {
            Assert.Equal(x.AsSpan(plane * r, plane).ToArray().Select(v => (double)v).Sum() / plane, split[r], 1e-6);
        }
    }

    /// <summary>The pass on <paramref name="threads"/> threads into a NaN-filled output; warm calls must not allocate.</summary>
    private static float[] Run(int threads, Action<float[]> pass, int length = Batch * Channels * Plane)
    {
        float[] output = new float[length];
        int saved = Parallelism.ThreadCount;
        try
        {
            Parallelism.ThreadCount = threads;
            ParallelGate.SplitEveryJob = true;
            Array.Fill(output, float.NaN);
            pass(output);
            WarmCalls.AssertSomeCallAllocatesNothing(() => pass(output), $"the pass on {threads} threads");
            return output;
        }
        finally
        {
            Parallelism.ThreadCount = saved;
            ParallelGate.SplitEveryJob = false;
        }
    }

    private static void OnTwoThreads(Action body)
    {
        int saved = Parallelism.ThreadCount;
        try
        {
            Parallelism.ThreadCount = 2;
            ParallelGate.SplitEveryJob = true;
            body();
        }
        finally
        {
            Parallelism.ThreadCount = saved;
            ParallelGate.SplitEveryJob = false;
        }
    }
}
