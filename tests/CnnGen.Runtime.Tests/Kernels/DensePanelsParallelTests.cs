using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// One sample's dense product split over two workers by panels must give the bits of one thread — with the
/// zero inputs skipped (a streamed weight) and without (a smaller one) — and allocate nothing once warm.
/// </summary>
[Collection(nameof(ThreadCountCollection))]
public sealed class DensePanelsParallelTests
{
    /// <summary>(units, inputs): 1000 × 1103 = 4.4 MB, its zero inputs skipped; 1000 × 600 = 2.4 MB, every input read; both past the split threshold.</summary>
    public static TheoryData<int, int> Shapes() => new()
    {
        { 1000, 1103 },
        { 1000, 600 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Two_threads_give_the_bits_of_one_and_allocate_nothing_once_warm(int units, int inputs)
    {
        Assert.True((long)units * inputs >= GemmParallel.MinDotElements, "The shape must be large enough to be split.");
        DensePanels.Packed packed = DensePanels.Pack(units, inputs, GemmReference.RandomValues(units * inputs, seed: 21));
        Assert.Equal(units * inputs * sizeof(float) >= DensePanels.StreamedBytes, packed.SkipsZeroInputs);
        float[] input = GemmReference.RandomValues(inputs, seed: 22);
        for (int i = 0; i < inputs; i += 3)
        {
            input[i] = 0f;
        }

        int saved = Parallelism.ThreadCount;
        try
        {
            Parallelism.ThreadCount = 1;
            float[] single = new float[units];
            DensePanels.Forward(packed, input, single);

            Parallelism.ThreadCount = 2;
            float[] split = new float[units];
            Array.Fill(split, float.NaN);
            Assert.True(DensePanelsParallel.TryRun(packed, input, default, listed: false, split), "two threads must split the panels");
            float[] splitThroughForward = new float[units];
            DensePanels.Forward(packed, input, splitThroughForward);

            Assert.Equal(single, split);
            Assert.Equal(single, splitThroughForward);
            long before = GC.GetAllocatedBytesForCurrentThread();
            DensePanels.Forward(packed, input, splitThroughForward);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            Parallelism.ThreadCount = saved;
        }
    }
}
