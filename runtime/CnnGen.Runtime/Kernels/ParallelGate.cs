using System.Diagnostics;

namespace CnnGen.Runtime.Kernels;

/// <summary>One chunk of a parallel kernel call: its operands (pinned pointers) and what a worker does with units [start, end).</summary>
internal interface IParallelJob
{
    void Run(int worker, int start, int end);
}

/// <summary>
/// The one way a kernel splits a single call over <see cref="Parallelism"/>'s workers (<see cref="GemmParallel"/>,
/// <see cref="DensePanelsParallel"/>, <see cref="ImplicitConvolutionParallel"/>, <see cref="ElementwiseParallel"/>) without
/// allocating: the chunk body is a delegate cached once per job type, and the call's operands travel in one static job,
/// written before <see cref="Parallelism.For(int, Action{int, int, int})"/> signals the workers (a fence) and cleared after.
/// </summary>
/// <remarks>
/// One parallel kernel runs at a time: a call that finds another in flight (two networks on two threads, or a
/// kernel inside a batch-parallel layer) returns false and its caller computes on its own thread instead of
/// waiting; Parallelism runs a call made from inside a parallel region inline. The caller keeps the operands
/// pinned until this returns, so the job can hold plain pointers.
/// <para>
/// Short jobs (tens of µs) pass their expected one-thread time and split only while it pays: the gate measures what
/// a split costs beyond the caller's own chunk — waking the workers and waiting for the slowest — as a moving
/// average, ≈ 1 µs with a free second core but tens of µs while another process holds it (measured on this shared
/// 2-core VM), and splits a job only if half its time exceeds twice that. While splits are refused, every
/// <see cref="ProbeInterval"/>th one is made anyway, to notice the core coming free.
/// </para>
/// </remarks>
internal static class ParallelGate
{
    /// <summary>The split overhead assumed before any is measured: a fork/join with the second core free.</summary>
    private const double InitialOverheadNanoseconds = 1_000;

    /// <summary>The weight of a new measurement in the moving average.</summary>
    private const double OverheadWeight = 0.125;

    /// <summary>Refused splits between two made anyway to measure the overhead afresh.</summary>
    private const int ProbeInterval = 32;

    private static readonly object Gate = new();

    /// <summary>Moving average of the measured split overhead, in ns; written under <see cref="Gate"/>.</summary>
    private static double _overheadNanoseconds = InitialOverheadNanoseconds;

    private static int _refusedSinceProbe;

    /// <summary>Tests set this to make every short job split whatever the measured overhead, so the split path is what they check.</summary>
    internal static bool SplitEveryJob { get; set; }

    /// <summary>Runs <paramref name="job"/> over <c>[0, units)</c> on the workers and returns true, or returns false if one thread should.</summary>
    public static bool TryRun<TJob>(in TJob job, int units)
        where TJob : struct, IParallelJob
    {
        if (Parallelism.ThreadCount < 2 || units < 2 || !Monitor.TryEnter(Gate))
        {
            return false;
        }

        try
        {
            Run(job, units);
        }
        finally
        {
            Monitor.Exit(Gate);
        }

        return true;
    }

    /// <summary>
    /// As <see cref="TryRun{TJob}(in TJob, int)"/> for a job of about <paramref name="serialNanoseconds"/> on one
    /// thread: split only if the measured split overhead leaves a gain (see the remarks), measuring it again.
    /// </summary>
    public static bool TryRun<TJob>(in TJob job, int units, double serialNanoseconds)
        where TJob : struct, IParallelJob
    {
        int threads = Math.Min(Parallelism.ThreadCount, units);
        if (threads < 2 || !Monitor.TryEnter(Gate))
        {
            return false;
        }

        try
        {
            double parallelNanoseconds = serialNanoseconds / threads;
            if (!SplitEveryJob && serialNanoseconds - parallelNanoseconds < 2 * _overheadNanoseconds && ++_refusedSinceProbe < ProbeInterval)
            {
                return false;
            }

            _refusedSinceProbe = 0;
            long start = Stopwatch.GetTimestamp();
            Run(job, units);
            double total = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            if (CallerChunk.Units < units)
            {
                // Split for real (not run inline inside a parallel region): what the workers cost beyond the caller's chunk.
                double overhead = Math.Max(0, total - CallerChunk.Nanoseconds);
                _overheadNanoseconds += OverheadWeight * (overhead - _overheadNanoseconds);
            }
        }
        finally
        {
            Monitor.Exit(Gate);
        }

        return true;
    }

    private static void Run<TJob>(in TJob job, int units)
        where TJob : struct, IParallelJob
    {
        try
        {
            Slot<TJob>.Job = job;
            Parallelism.For(units, Slot<TJob>.Body);
        }
        finally
        {
            Slot<TJob>.Job = default;
        }
    }

    /// <summary>How long the calling thread's own chunk (worker 0) of the last split took, and how many units it had.</summary>
    private static class CallerChunk
    {
        public static double Nanoseconds;

        public static int Units;
    }

    /// <summary>The job in flight of one type, and the cached delegate that runs it.</summary>
    private static class Slot<TJob>
        where TJob : struct, IParallelJob
    {
        public static TJob Job;

        public static readonly Action<int, int, int> Body = static (worker, start, end) =>
        {
            if (worker != 0)
            {
                Job.Run(worker, start, end);
                return;
            }

            long begin = Stopwatch.GetTimestamp();
            Job.Run(worker, start, end);
            CallerChunk.Nanoseconds = Stopwatch.GetElapsedTime(begin).TotalNanoseconds;
            CallerChunk.Units = end - start;
        };
    }
}
