using System.Runtime.CompilerServices;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Splits one GEMM over <see cref="Parallelism"/>'s workers by blocks of C: whole NR-wide column panels
/// (each worker packs only its own part of B), or whole MR-high row tiles when C has too few columns to
/// go round. Depth is never split, so each element of C is summed in the same order as on one thread and
/// the result is bit-identical for any thread count.
/// </summary>
/// <remarks>
/// A call allocates nothing and runs through <see cref="ParallelGate"/>: a call that finds another parallel kernel
/// in flight runs on its own thread instead of waiting.
/// </remarks>
internal static unsafe class GemmParallel
{
    /// <summary>
    /// Blocked products below this many FLOPs (~20 µs on one core) run on one thread. A fork/join costs
    /// 0.7–1 µs when the second core is free (workers still spinning, idle gaps up to 50 µs), but ~7 µs
    /// and a serialized split when another process holds that core (measured on this shared 2-core VM),
    /// so only work where even the bad case loses little is split.
    /// </summary>
    public const long MinBlockedFlops = 4_000_000;

    /// <summary>
    /// Dot-path products split over rows of B (bandwidth-bound: B streams once) below this many elements of B
    /// (2 MB, ~20 µs at L2/L3 bandwidth) run on one thread.
    /// </summary>
    public const long MinDotElements = 512 * 1024;

    /// <summary>Rows of B per unit of the dot path's column split: whole groups of the matrix–vector sweep.</summary>
    private const int DotColumnGroup = GemmVector.RowGroup;

    /// <summary>Rows of A per unit of the dot path's row split: whole four-row sweeps.</summary>
    private const int DotRowGroup = 4;

    /// <summary>Runs the blocked product in parallel and returns true, or returns false if it should not.</summary>
    public static bool TryRunBlocked(
        int m, int n, int k, ref float a, nint aRowStride, nint aDepthStride, ref float b, nint bDepthStride, nint bColumnStride, ref float c, bool accumulate)
    {
        int threads = Parallelism.ThreadCount;
        if (threads < 2 || 2L * m * n * k < MinBlockedFlops)
        {
            return false;
        }

        // Column panels when there are enough to share evenly; otherwise row tiles (a narrow C: a classifier).
        int panels = (n + Gemm.TileColumns - 1) / Gemm.TileColumns;
        int rowTiles = (m + Gemm.TileRows - 1) / Gemm.TileRows;
        fixed (float* aPointer = &a, bPointer = &b, cPointer = &c)
        {
            var operands = new Operands(m, n, k, aPointer, aRowStride, aDepthStride, bPointer, bDepthStride, bColumnStride, cPointer, accumulate);
            return panels < 2 * threads && rowTiles > panels
                ? ParallelGate.TryRun(new BlockedRows(operands), rowTiles)
                : ParallelGate.TryRun(new BlockedColumns(operands), panels);
        }
    }

    /// <summary>
    /// Runs the dot-path product (NT) in parallel and returns true, or returns false if it should not: over
    /// rows of B (columns of C) for a few rows of A, where B streams once; over four-row sweeps of A otherwise.
    /// </summary>
    public static bool TryRunDot(int m, int n, int k, ref float a, ref float b, ref float c, bool accumulate)
    {
        bool byRows = m > GemmDot.MaxRows;
        if (Parallelism.ThreadCount < 2 || (byRows ? 2L * m * n * k < MinBlockedFlops : (long)n * k < MinDotElements))
        {
            return false;
        }

        fixed (float* aPointer = &a, bPointer = &b, cPointer = &c)
        {
            var operands = new Operands(m, n, k, aPointer, k, 1, bPointer, 1, k, cPointer, accumulate);
            return byRows
                ? ParallelGate.TryRun(new DotRows(operands), (m + DotRowGroup - 1) / DotRowGroup)
                : ParallelGate.TryRun(new DotColumns(operands), (n + DotColumnGroup - 1) / DotColumnGroup);
        }
    }

    /// <summary>Columns [start · NR, end · NR) of C: the same product with B and C advanced, C's row stride unchanged.</summary>
    private readonly struct BlockedColumns(Operands job) : IParallelJob
    {
        public void Run(int worker, int start, int end)
        {
            int first = start * Gemm.TileColumns;
            int columns = Math.Min(end * Gemm.TileColumns, job.N) - first;
            Gemm.RunBlocked(
                job.M,
                columns,
                job.K,
                ref *job.A,
                job.ARowStride,
                job.ADepthStride,
                ref Unsafe.Add(ref *job.B, first * job.BColumnStride),
                job.BDepthStride,
                job.BColumnStride,
                ref Unsafe.Add(ref *job.C, first),
                job.N,
                job.Accumulate);
        }
    }

    /// <summary>Rows [start · MR, end · MR) of C: the same product with A and C advanced.</summary>
    private readonly struct BlockedRows(Operands job) : IParallelJob
    {
        public void Run(int worker, int start, int end)
        {
            int first = start * Gemm.TileRows;
            int rows = Math.Min(end * Gemm.TileRows, job.M) - first;
            Gemm.RunBlocked(
                rows,
                job.N,
                job.K,
                ref Unsafe.Add(ref *job.A, first * job.ARowStride),
                job.ARowStride,
                job.ADepthStride,
                ref *job.B,
                job.BDepthStride,
                job.BColumnStride,
                ref Unsafe.Add(ref *job.C, (nint)first * job.N),
                job.N,
                job.Accumulate);
        }
    }

    /// <summary>Rows [start · 8, end · 8) of B, which are columns of C.</summary>
    private readonly struct DotColumns(Operands job) : IParallelJob
    {
        public void Run(int worker, int start, int end)
        {
            int first = start * DotColumnGroup;
            int columns = Math.Min(end * DotColumnGroup, job.N) - first;
            GemmDot.Run(
                job.M, columns, job.K, ref *job.A, ref Unsafe.Add(ref *job.B, (nint)first * job.K), ref Unsafe.Add(ref *job.C, first), job.N, job.Accumulate);
        }
    }

    /// <summary>Rows [start · 4, end · 4) of A and C.</summary>
    private readonly struct DotRows(Operands job) : IParallelJob
    {
        public void Run(int worker, int start, int end)
        {
            int first = start * DotRowGroup;
            int rows = Math.Min(end * DotRowGroup, job.M) - first;
            GemmDot.Run(
                rows, job.N, job.K, ref Unsafe.Add(ref *job.A, (nint)first * job.K), ref *job.B, ref Unsafe.Add(ref *job.C, (nint)first * job.N), job.N, job.Accumulate);
        }
    }

    /// <summary>One parallel call's operands, in the layout <see cref="GemmDriver.Run"/> takes them.</summary>
    private readonly struct Operands(
        int m, int n, int k, float* a, nint aRowStride, nint aDepthStride, float* b, nint bDepthStride, nint bColumnStride, float* c, bool accumulate)
    {
        public readonly int M = m, N = n, K = k;
        public readonly float* A = a, B = b, C = c;
        public readonly nint ARowStride = aRowStride, ADepthStride = aDepthStride, BDepthStride = bDepthStride, BColumnStride = bColumnStride;
        public readonly bool Accumulate = accumulate;
    }
}
