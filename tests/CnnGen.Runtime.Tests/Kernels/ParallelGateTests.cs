using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary><see cref="ParallelGate"/>'s decision for short jobs against the split overhead it measures.</summary>
[Collection(nameof(ThreadCountCollection))]
public sealed class ParallelGateTests
{
    private static int _runs;

    private readonly struct CountingJob : IParallelJob
    {
        public void Run(int worker, int start, int end) => Interlocked.Add(ref _runs, end - start);
    }

    /// <summary>A job with nothing to gain is refused, but one call in every 32 splits anyway to measure the overhead again.</summary>
    [Fact]
    public void A_job_too_short_to_gain_splits_only_as_a_probe()
    {
        int saved = Parallelism.ThreadCount;
        try
        {
            Parallelism.ThreadCount = 2;
            int splits = 0;
            for (int call = 0; call < 32; call++)
            {
                splits += ParallelGate.TryRun(default(CountingJob), units: 2, serialNanoseconds: 0) ? 1 : 0;
            }

            Assert.Equal(1, splits);
        }
        finally
        {
            Parallelism.ThreadCount = saved;
        }
    }

    /// <summary>A job of a second splits whatever the overhead, runs every unit once; on one thread nothing splits.</summary>
    [Fact]
    public void A_long_job_splits_and_runs_every_unit_once()
    {
        int saved = Parallelism.ThreadCount;
        try
        {
            Parallelism.ThreadCount = 2;
            _runs = 0;
            Assert.True(ParallelGate.TryRun(default(CountingJob), units: 10, serialNanoseconds: 1e9));
            Assert.Equal(10, _runs);
            Parallelism.ThreadCount = 1;
            Assert.False(ParallelGate.TryRun(default(CountingJob), units: 10, serialNanoseconds: 1e9));
        }
        finally
        {
            Parallelism.ThreadCount = saved;
        }
    }
}
