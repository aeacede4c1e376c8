using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>Tests that change the process-wide <see cref="Parallelism.ThreadCount"/> run alone.</summary>
[CollectionDefinition(nameof(ThreadCountCollection), DisableParallelization = true)]
public sealed class ThreadCountCollection;

/// <summary>
/// A GEMM split over workers must give the same bits as on one thread (C is split, never the depth, so
/// every element is summed in the same order), match the oracle, and allocate nothing once warm.
/// </summary>
[Collection(nameof(ThreadCountCollection))]
public class GemmParallelTests
{
    private const double Tolerance = 2e-5;

    /// <summary>Each shape is past the split thresholds; the comment says which split it takes.</summary>
    public static TheoryData<GemmVariant, int, int, int> ParallelShapes() => new()
    {
        { GemmVariant.NN, 64, 196, 800 },  // column panels, B read in place (seed net conv2)
        { GemmVariant.NN, 37, 1100, 600 }, // column panels across two column blocks, ragged rows and columns
        { GemmVariant.TN, 800, 196, 64 },  // column panels, packed B, transposed A
        { GemmVariant.NT, 64, 800, 196 },  // column panels, transposed packing
        { GemmVariant.NT, 64, 10, 4000 },  // row tiles: C has a single column panel
        { GemmVariant.NT, 1, 1000, 3136 }, // dot path over rows of B (batch-1 GEMV)
        { GemmVariant.NT, 1, 1003, 3137 }, // batch-1 GEMV, a ragged last group of B rows and a partial last vector
        { GemmVariant.NT, 7, 1001, 777 },  // dot path, four-row and one-row sweeps, ragged group of B rows
        { GemmVariant.NT, 62, 25, 3136 },  // dot path over four-row sweeps of A (narrow C), ragged last sweep
    };

    [Theory]
    [MemberData(nameof(ParallelShapes))]
    public void TwoThreadsMatchOneThreadBitForBit(GemmVariant variant, int m, int n, int k)
    {
        bool splitsRowsOfB = variant == GemmVariant.NT && GemmDot.Pays(m, n, k) && m <= GemmDot.MaxRows;
        Assert.True(
            splitsRowsOfB ? (long)n * k >= GemmParallel.MinDotElements : 2L * m * n * k >= GemmParallel.MinBlockedFlops,
            "The shape must be large enough to be split.");
        float[] a = GemmReference.RandomValues(m * k, seed: 11);
        float[] b = GemmReference.RandomValues(k * n, seed: 12);
        float[] c0 = GemmReference.RandomValues(m * n, seed: 13);

        foreach (bool accumulate in new[] { false, true })
        {
            float[] serial = (float[])c0.Clone();
            float[] parallel = (float[])c0.Clone();
            WithThreads(1, () => GemmReference.Run(variant, m, n, k, a, b, serial, accumulate));
            WithThreads(2, () => GemmReference.Run(variant, m, n, k, a, b, parallel, accumulate));

            for (int i = 0; i < serial.Length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(serial[i]) == BitConverter.SingleToInt32Bits(parallel[i]),
                    $"{variant} {m}×{n}×{k} accumulate={accumulate}: element {i} is {parallel[i]} on two threads, {serial[i]} on one.");
            }

            (double[] expected, double[] scale) = GemmReference.Multiply(variant, m, n, k, a, b, accumulate ? c0 : null);
            GemmReference.AssertClose(expected, scale, parallel, Tolerance, $"{variant} {m}×{n}×{k} accumulate={accumulate}, two threads");
        }
    }

    [Theory]
    [InlineData(GemmVariant.NN, 64, 196, 800)]
    [InlineData(GemmVariant.NT, 64, 800, 196)]
    [InlineData(GemmVariant.NT, 64, 10, 4000)]
    [InlineData(GemmVariant.NT, 1, 1000, 3136)]
    public void WarmParallelCallAllocatesNothing(GemmVariant variant, int m, int n, int k)
    {
        float[] a = GemmReference.RandomValues(m * k, seed: 14);
        float[] b = GemmReference.RandomValues(k * n, seed: 15);
        float[] c = new float[m * n];
        Action call = () => GemmReference.Run(variant, m, n, k, a, b, c, accumulate: true);
        long allocated = 0;
        WithThreads(2, () =>
        {
            // Warm: the workers' scratch, the JIT and the pool's threads.
            GemmReference.Run(variant, m, n, k, a, b, c, accumulate: false);
            GemmReference.Run(variant, m, n, k, a, b, c, accumulate: false);
            allocated = GemmTests.FewestBytesAllocated(call);
        });

        Assert.Equal(0, allocated);
    }

    private static void WithThreads(int threads, Action action)
    {
        int previous = Parallelism.ThreadCount;
        Parallelism.ThreadCount = threads;
        try
        {
            action();
        }
        finally
        {
            Parallelism.ThreadCount = previous;
        }
    }
}
