namespace CnnGen.Runtime;

/// <summary>
/// A manual-reset event for <see cref="Parallelism"/>'s hand-offs: spins briefly, then blocks on a
/// monitor allocated up front, so no wait ever allocates.
/// </summary>
/// <remarks>
/// <see cref="ManualResetEventSlim"/> allocates its lock object the first time a wait has to block
/// (24 bytes, once per event). A worker descheduled for a moment makes the caller block, so that
/// allocation landed in a warm inference or training step at random. This class has the same
/// spin-then-block shape with nothing created lazily.
/// <para>
/// No lost wake-up: a waiter counts itself in <see cref="_waiters"/> and then reads <see cref="_isSet"/>,
/// both under the monitor; <see cref="Set"/> writes <see cref="_isSet"/> and then reads
/// <see cref="_waiters"/>, with a full fence between. One of the two sees the other's write, and a
/// setter that sees a waiter pulses under the monitor, which the waiter holds until it waits.
/// </para>
/// </remarks>
internal sealed class WorkerSignal(int spinCount)
{
    private readonly object _monitor = new();
    private volatile bool _isSet;
    private int _waiters;

    public bool IsSet => _isSet;

    public void Set()
    {
        _isSet = true;
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _waiters) > 0)
        {
            lock (_monitor)
            {
                Monitor.PulseAll(_monitor);
            }
        }
    }

    /// <summary>Only while no thread waits: the caller resets before it hands out the work that sets it.</summary>
    public void Reset() => _isSet = false;

    public void Wait()
    {
        var spinner = default(SpinWait);
        while (!_isSet && spinner.Count < spinCount)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        if (_isSet)
        {
            return;
        }

        lock (_monitor)
        {
            Interlocked.Increment(ref _waiters);
            while (!_isSet)
            {
                Monitor.Wait(_monitor);
            }

            Interlocked.Decrement(ref _waiters);
        }
    }
}
