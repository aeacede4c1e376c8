using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit.Abstractions;
using CnnGen.Integration.Tests.Support;
using CnnGen.Runtime;

namespace CnnGen.Integration.Tests;

/// <summary>
/// Inference on one network instance is safe from many threads at once: every result is bit for bit the
/// sequential one, for every declared network, frozen or not, at one worker thread and at two.
/// </summary>
[Collection(nameof(ThreadCountCollection))] // sets Parallelism.ThreadCount
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const int Callers = 4;
    private const int Inputs = 6;
    private const int BatchSize = 3;
    private const int MinimumCalls = 24;
    private const int CallingMilliseconds = 40;

    public static TheoryData<string, bool, int> Cases()
    {
        var data = new TheoryData<string, bool, int>();
        foreach (string name in DeclaredNetworks.ByName.Keys.Order(StringComparer.Ordinal))
        {
            foreach (bool frozen in new[] { false, true })
            {
                data.Add(name, frozen, 1);
                data.Add(name, frozen, 2);
            }
        }

        return data;
    }

    /// <summary>
    /// <see cref="Callers"/> threads share one instance; each cycles through the same inputs with
    /// <c>Forward</c> and inference-mode <c>ForwardBatch</c>, and every answer must be the sequential one.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Many_threads_on_one_instance_give_the_sequential_results(string name, bool frozen, int threadCount)
    {
        OnSharedNetwork(name, frozen, threadCount, net =>
        {
            var random = new Random(TestData.StableSeed(name));
            float[][] singles = Enumerable.Range(0, Inputs).Select(_ => TestData.Uniform(random, net.InputLength)).ToArray();
            float[][] batches = Enumerable.Range(0, Inputs).Select(_ => TestData.Uniform(random, BatchSize * net.InputLength)).ToArray();
            float[][] expectedSingles = singles.Select(input => Run(net, input, 1)).ToArray();
            float[][] expectedBatches = batches.Select(input => Run(net, input, BatchSize)).ToArray();
            int calls = 0, inFlight = 0, mostInFlight = 0, mismatches = 0, failures = 0;
            string? firstFailure = null;
            RunTogether(Callers, caller =>
            {
                float[] single = new float[net.OutputLength], batch = new float[BatchSize * net.OutputLength];
                long deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * CallingMilliseconds / 1000);
                long patience = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 10); // a loaded machine may run the callers one at a time for a while
                for (int call = 0; call < MinimumCalls || Stopwatch.GetTimestamp() < deadline || (Volatile.Read(ref mostInFlight) < 2 && Stopwatch.GetTimestamp() < patience); call++)
                {
                    Interlocked.Increment(ref calls);
                    int overlapping = Interlocked.Increment(ref inFlight);
                    InterlockedMax(ref mostInFlight, overlapping);
                    int which = (call + caller) % Inputs;
                    bool batched = call % 3 == 2;
                    try
                    {
                        float[] output = batched ? batch : single;
                        net.ForwardBatch(batched ? batches[which] : singles[which], output, batched ? BatchSize : 1);
                        if (!SameBits(batched ? expectedBatches[which] : expectedSingles[which], output))
                        {
                            Interlocked.Increment(ref mismatches);
                        }
                    }
                    catch (Exception exception)
                    {
                        Interlocked.Increment(ref failures);
                        Interlocked.CompareExchange(ref firstFailure, exception.GetType().Name + ": " + exception.Message, null);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                    }
                }
            });

            Assert.True(
                mismatches == 0 && failures == 0,
                $"{name} (frozen: {frozen}, {threadCount} worker threads): of {calls} calls on {Callers} threads, {mismatches} differ from the sequential results and {failures} threw (first: {firstFailure}).");
            Assert.True(mostInFlight > 1, $"{name}: no two of {calls} calls overlapped, so nothing was tested");
            output.WriteLine($"{name} (frozen: {frozen}, {threadCount} worker threads): {calls} calls on {Callers} threads, up to {mostInFlight} at once, 0 mismatches");
        });
    }

    /// <summary>
    /// Once warm, concurrent calls allocate nothing on any caller's thread. The pool of instances that serve
    /// overlapping calls only grows, by at most one per extra caller, so of <see cref="Callers"/> rounds at
    /// least one sees no growth, and that round must have allocated nothing at all.
    /// </summary>
    [Theory]
    [InlineData("LeNet5", false, 1)]
    [InlineData("LeNet5", true, 2)]
    [InlineData("FashionNet", true, 1)]
    [InlineData("FashionNet", false, 2)]
    public void Concurrent_calls_allocate_nothing_once_warm(string name, bool frozen, int threadCount)
    {
        OnSharedNetwork(name, frozen, threadCount, net =>
        {
            float[] input = TestData.Uniform(new Random(7), net.InputLength);
            int calls = (long)net.GetType().GetField("InferenceArenaBytes")!.GetValue(null)! > 1_000_000 ? 8 : 48;
            var allocated = new long[Callers + 1, Callers];
            for (int round = 0; round <= Callers; round++)
            {
                int r = round;
                RunTogether(Callers, caller =>
                {
                    float[] output = new float[net.OutputLength];
                    for (int call = 0; call < 50; call++)
                    {
                        net.Forward(input, output); // warm: JIT tiers, this thread's kernel scratch, the pool
                    }

                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int call = 0; call < calls; call++)
                    {
                        net.Forward(input, output);
                    }

                    allocated[r, caller] = GC.GetAllocatedBytesForCurrentThread() - before;
                });
            }

            bool someRoundAllocatedNothing = Enumerable.Range(0, Callers + 1).Any(round => Enumerable.Range(0, Callers).All(caller => allocated[round, caller] == 0));
            string rounds = string.Join("; ", Enumerable.Range(0, Callers + 1).Select(round => string.Join(", ", Enumerable.Range(0, Callers).Select(caller => allocated[round, caller]))));
            Assert.True(someRoundAllocatedNothing, $"{name}: bytes allocated per thread, per round: {rounds}");
        });
    }

    /// <summary>Training-mode calls and parameter resets are single-caller: one that overlaps another call on the instance throws, in either order.</summary>
    [Fact]
    public void A_training_call_overlapping_another_call_throws_InvalidOperationException()
    {
        var net = new LeNet5();
        float[] input = TestData.Uniform(new Random(9), 4 * LeNet5.InputLength);
        float[] output = new float[4 * LeNet5.OutputLength];
        float[] outputGradient = TestData.Uniform(new Random(10), output.Length);
        var trainer = new LeNet5 { IsTraining = true };

        // A training call while inference runs on another thread.
        InvalidOperationException? duringInference = Overlap(
            () => net.Forward(input.AsSpan(0, LeNet5.InputLength), new float[LeNet5.OutputLength]),
            () =>
            {
                net.IsTraining = true;
                try
                {
                    net.ForwardBatch(input, output, 4);
                }
                finally
                {
                    net.IsTraining = false;
                }
            });
        Assert.NotNull(duringInference);
        Assert.Contains("LeNet5", duringInference.Message);
        Assert.Contains("in flight", duringInference.Message);

        // Inference while training steps run on another thread.
        InvalidOperationException? duringTraining = Overlap(
            () =>
            {
                trainer.ForwardBatch(input, output, 4);
                trainer.BackwardBatch(outputGradient, default, 4);
            },
            () => trainer.Forward(input.AsSpan(0, LeNet5.InputLength), new float[LeNet5.OutputLength]));
        Assert.NotNull(duringTraining);
        Assert.Contains("in flight", duringTraining.Message);

        // A parameter reset while inference runs on another thread.
        InvalidOperationException? duringReset = Overlap(
            () => net.Forward(input.AsSpan(0, LeNet5.InputLength), new float[LeNet5.OutputLength]),
            () => net.ResetParameters(seed: 1));
        Assert.NotNull(duringReset);
        Assert.Contains("ResetParameters", duringReset.Message);
    }

    /// <summary>
    /// Runs <paramref name="background"/> in a loop on another thread and <paramref name="probe"/> on this one
    /// until the probe throws <see cref="InvalidOperationException"/> (returned) or a second has passed (null).
    /// </summary>
    private static InvalidOperationException? Overlap(Action background, Action probe)
    {
        using var stop = new ManualResetEventSlim();
        Exception? backgroundFailure = null;
        var thread = new Thread(() =>
        {
            while (!stop.IsSet)
            {
                try
                {
                    background();
                }
                catch (InvalidOperationException)
                {
                    // The probe's call may make a background call the one that notices the overlap: fine.
                }
                catch (Exception exception)
                {
                    backgroundFailure ??= exception;
                }
            }
        });
        thread.Start();
        InvalidOperationException? caught = null;
        var deadline = DateTime.UtcNow.AddSeconds(1);
        try
        {
            while (caught is null && DateTime.UtcNow < deadline)
            {
                try
                {
                    probe();
                }
                catch (InvalidOperationException exception)
                {
                    caught = exception;
                }
            }
        }
        finally
        {
            stop.Set();
            thread.Join();
        }

        Assert.Null(backgroundFailure);
        return caught;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is int seen && seen != current)
        {
            current = seen;
        }
    }

    /// <summary>Runs <paramref name="test"/> on a new network of the named class, frozen or not, at <paramref name="threadCount"/> worker threads.</summary>
    private static void OnSharedNetwork(string name, bool frozen, int threadCount, Action<INetwork> test)
    {
        int previous = Parallelism.ThreadCount;
        Parallelism.ThreadCount = threadCount;
        try
        {
            INetwork net = DeclaredNetworks.Create(name);
            if (frozen)
            {
                DeclaredNetworks.Freeze(net);
            }

            test(net);
        }
        finally
        {
            Parallelism.ThreadCount = previous;
        }
    }

    private static float[] Run(INetwork net, float[] input, int batchSize)
    {
        float[] output = new float[batchSize * net.OutputLength];
        net.ForwardBatch(input, output, batchSize);
        return output;
    }

    private static bool SameBits(float[] expected, float[] actual) =>
        MemoryMarshal.Cast<float, int>(expected).SequenceEqual(MemoryMarshal.Cast<float, int>(actual));

    /// <summary>Runs <paramref name="body"/> on <paramref name="threads"/> threads released together; rethrows the first failure.</summary>
    private static void RunTogether(int threads, Action<int> body)
    {
        using var start = new Barrier(threads);
        Exception? failure = null;
        Thread[] workers = Enumerable.Range(0, threads).Select(index => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                body(index);
            }
            catch (Exception exception)
            {
                Interlocked.CompareExchange(ref failure, exception, null);
            }
        })).ToArray();
        foreach (Thread worker in workers)
        {
            worker.Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        if (failure is not null)
        {
            throw new InvalidOperationException("A caller thread failed.", failure);
        }
    }
}
