namespace CnnGen.Runtime;

/// <summary>
/// Splits a range of work items (samples of a batch, rows of a matrix) over a small pool of
/// persistent worker threads without allocating per call: the work is a cached delegate
/// <c>(worker, start, end)</c>, and the calling thread runs the first chunk itself.
/// </summary>
/// <remarks>
/// <see cref="ThreadCount"/> is 1 by default, which runs everything on the calling thread and keeps
/// training bit-for-bit reproducible; set it (e.g. to <see cref="Environment.ProcessorCount"/>) for
/// throughput. Results are deterministic for a given thread count: chunks are static.
/// Calls from several threads at once (concurrent inference on a shared network) take turns on the one pool, a
/// lock around each; nested calls run inline.
/// </remarks>
public static class Parallelism
{
    private static readonly object Gate = new();
    private static Worker[] _workers = [];
    private static int _threadCount = 1;

    [ThreadStatic]
    private static bool _insideParallelRegion;

    /// <summary>Threads used by <see cref="For(int, Action{int, int, int})"/>, including the caller: at least 1.</summary>
    public static int ThreadCount
    {
        get => _threadCount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (Gate)
            {
                if (_workers.Length < value - 1)
                {
                    var workers = new Worker[value - 1];
                    _workers.CopyTo(workers, 0);
                    for (int i = _workers.Length; i < workers.Length; i++)
                    {
                        workers[i] = new Worker(i + 1);
                    }

                    _workers = workers;
                }

                _threadCount = value;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> over <c>[0, count)</c> split into at most <see cref="ThreadCount"/>
    /// contiguous chunks; <c>worker</c> is the chunk's index, unique while the call runs, for
    /// per-thread scratch. Returns the number of chunks (workers) used, once every chunk is done;
    /// an exception in a chunk is rethrown.
    /// </summary>
    public static int For(int count, Action<int, int, int> body) => For(count, int.MaxValue, body);

    /// <summary>
    /// As <see cref="For(int, Action{int, int, int})"/>, using at most <paramref name="maxWorkers"/>
    /// workers: callers that sized per-worker scratch for a thread count pass it here, so a
    /// concurrent change of <see cref="ThreadCount"/> cannot hand out a worker index they lack.
    /// </summary>
    public static int For(int count, int maxWorkers, Action<int, int, int> body)
    {
        int threads = Math.Min(Math.Min(_threadCount, maxWorkers), count);
        if (threads <= 1 || _insideParallelRegion)
        {
            body(0, 0, count);
            return 1;
        }

        lock (Gate)
        {
            Worker[] workers = _workers;
            for (int w = 1; w < threads; w++)
            {
                workers[w - 1].Start(body, ChunkStart(count, threads, w), ChunkStart(count, threads, w + 1));
            }

            Exception? failure = null;
            _insideParallelRegion = true;
            try
            {
                body(0, 0, ChunkStart(count, threads, 1));
            }
            catch (Exception exception)
            {
                failure = exception;
            }
            finally
            {
                _insideParallelRegion = false;
            }

            for (int w = 1; w < threads; w++)
            {
                failure ??= workers[w - 1].Wait();
            }

            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            return threads;
        }
    }

    /// <summary>The first item of chunk <paramref name="chunk"/> when <paramref name="count"/> items go to <paramref name="chunks"/> chunks.</summary>
    public static int ChunkStart(int count, int chunks, int chunk) => (int)((long)count * chunk / chunks);

    /// <summary>One persistent background thread that runs a chunk when signalled.</summary>
    private sealed class Worker
    {
        private readonly int _index;
        private readonly WorkerSignal _ready = new(spinCount: 2000);
        private readonly WorkerSignal _done = new(spinCount: 2000);
        private Action<int, int, int>? _body;
        private int _start, _end;
        private Exception? _failure;

        public Worker(int index)
        {
            _index = index;
            var thread = new Thread(Run) { IsBackground = true, Name = "CnnGen worker " + index };
            thread.Start();
        }

        public void Start(Action<int, int, int> body, int start, int end)
        {
            _body = body;
            _start = start;
            _end = end;
            _failure = null;
            _done.Reset();
            _ready.Set();
        }

        public Exception? Wait()
        {
            _done.Wait();
            return _failure;
        }

        private void Run()
        {
            _insideParallelRegion = true;
            while (true)
            {
                _ready.Wait();
                _ready.Reset();
                try
                {
                    _body!(_index, _start, _end);
                }
                catch (Exception exception)
                {
                    _failure = exception;
                }

                _body = null;
                _done.Set();
            }
        }
    }
}
