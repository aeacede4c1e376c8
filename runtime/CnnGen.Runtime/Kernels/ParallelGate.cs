namespace CnnGen.Runtime.Kernels;

/// <summary>One chunk of a parallel kernel call: its operands (pinned pointers) and what a worker does with units [start, end).</summary>
internal interface IParallelJob
{
    void Run(int worker, int start, int end);
}

/// <summary>
/// The one way a kernel splits a single call over <see cref="Parallelism"/>'s workers (<see cref="GemmParallel"/>,
/// <see cref="DensePanelsParallel"/>, <see cref="ImplicitConvolutionParallel"/>, <see cref="ElementwiseParallel"/>) without allocating: the chunk body
/// is a delegate cached once per job type, and the call's operands travel in one static job, written before
/// <see cref="Parallelism.For(int, Action{int, int, int})"/> signals the workers (a fence) and cleared after.
/// </summary>
/// <remarks>
/// One parallel kernel runs at a time: a call that finds another in flight (two networks on two threads, or a
/// kernel inside a batch-parallel layer) returns false and its caller computes on its own thread instead of
/// waiting; Parallelism runs a call made from inside a parallel region inline. The caller keeps the operands
/// pinned until this returns, so the job can hold plain pointers.
/// </remarks>
internal static class ParallelGate
{
    private static readonly object Gate = new();

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
            Slot<TJob>.Job = job;
            Parallelism.For(units, Slot<TJob>.Body);
        }
        finally
        {
            Slot<TJob>.Job = default;
            Monitor.Exit(Gate);
        }

        return true;
    }

    /// <summary>The job in flight of one type, and the cached delegate that runs it.</summary>
    private static class Slot<TJob>
        where TJob : struct, IParallelJob
    {
        public static TJob Job;

        public static readonly Action<int, int, int> Body = static (worker, start, end) => Job.Run(worker, start, end);
    }
}
