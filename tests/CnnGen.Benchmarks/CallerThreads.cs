namespace CnnGen.Benchmarks;

/// <summary>
/// Persistent caller threads, released together to run one share of work each and awaited together, so a
/// timed round pays two barrier crossings rather than thread start-ups.
/// </summary>
internal sealed class CallerThreads : IDisposable
{
    private readonly Barrier _start;
    private readonly Barrier _done;
    private readonly Thread[] _threads;
    private volatile bool _stopping;
    private Exception? _failure;

    /// <param name="work">Runs on caller <c>index</c> for each round.</param>
    public CallerThreads(int count, Action<int> work)
    {
        _start = new Barrier(count + 1);
        _done = new Barrier(count + 1);
        _threads = Enumerable.Range(0, count).Select(index => new Thread(() => Loop(index, work)) { IsBackground = true, Name = "caller " + index }).ToArray();
        foreach (Thread thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>One round: every caller runs its work once; rethrows a caller's failure.</summary>
    public void Run()
    {
        _start.SignalAndWait();
        _done.SignalAndWait();
        if (_failure is { } failure)
        {
            throw new InvalidOperationException("A caller thread failed.", failure);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _start.SignalAndWait();
        foreach (Thread thread in _threads)
        {
            thread.Join();
        }

        _start.Dispose();
        _done.Dispose();
    }

    private void Loop(int index, Action<int> work)
    {
        while (true)
        {
            _start.SignalAndWait();
            if (_stopping)
            {
                return;
            }

            try
            {
                work(index);
            }
            catch (Exception exception)
            {
                Interlocked.CompareExchange(ref _failure, exception, null);
            }

            _done.SignalAndWait();
        }
    }
}
