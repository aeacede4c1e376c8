using CnnGen.Runtime.Tests.Kernels;

namespace CnnGen.Runtime.Tests;

/// <summary>
/// <see cref="WorkerSignal"/> hands work to <see cref="Parallelism"/>'s threads: a wait that has to block
/// must allocate nothing (a lazily created lock once made warm steps allocate at random), and no
/// hand-off may be lost whichever side arrives first.
/// </summary>
[Collection(nameof(ThreadCountCollection))]
public class WorkerSignalTests
{
    [Fact]
    public void A_wait_that_has_to_block_allocates_nothing()
    {
        var signal = new WorkerSignal(spinCount: 0);
        var setter = new Thread(() =>
        {
            Thread.Sleep(50);
            signal.Set();
        });
        setter.Start();

        long before = GC.GetAllocatedBytesForCurrentThread();
        signal.Wait();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        setter.Join();
        Assert.True(signal.IsSet);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(0)]    // every wait that finds the signal unset blocks
    [InlineData(20)]   // waits mix spinning and blocking
    [InlineData(2000)] // Parallelism's setting
    public void Ping_pong_hand_offs_lose_no_wake_up(int spinCount)
    {
        const int RoundTrips = 20_000;
        var ready = new WorkerSignal(spinCount);
        var done = new WorkerSignal(spinCount);
        int served = 0;
        var worker = new Thread(() =>
        {
            for (int i = 0; i < RoundTrips; i++)
            {
                ready.Wait();
                ready.Reset();
                served++;
                done.Set();
            }
        }) { IsBackground = true };
        worker.Start();

        var caller = new Thread(() =>
        {
            for (int i = 0; i < RoundTrips; i++)
            {
                done.Reset();
                ready.Set();
                done.Wait();
            }
        }) { IsBackground = true };
        caller.Start();

        Assert.True(caller.Join(TimeSpan.FromSeconds(60)), $"a hand-off was lost: {Volatile.Read(ref served)} of {RoundTrips} served");
        Assert.True(worker.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(RoundTrips, served);
    }

    [Fact]
    public void A_parallel_call_whose_caller_waits_for_a_slow_worker_allocates_nothing()
    {
        int saved = Parallelism.ThreadCount;
        try
        {
            Parallelism.ThreadCount = 2;
            Action<int, int, int> slowSecondChunk = static (worker, start, end) =>
            {
                if (worker != 0)
                {
                    Thread.Sleep(30); // longer than the caller spins: it blocks
                }
            };
            Parallelism.For(2, slowSecondChunk);

            long before = GC.GetAllocatedBytesForCurrentThread();
            int workers = Parallelism.For(2, slowSecondChunk);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(2, workers);
            Assert.Equal(0, allocated);
        }
        finally
        {
            Parallelism.ThreadCount = saved;
        }
    }
}
