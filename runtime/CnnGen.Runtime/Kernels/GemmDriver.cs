using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// The blocked GEMM loop nest (Goto/BLIS order): C[m, n] (+)= A[m, k] · B[k, n] for any storage order of A
/// and B, expressed through strides, driving one micro-kernel tile at a time.
/// </summary>
/// <remarks>
/// <code>
/// for jc in n by ColumnBlock           // nc columns: a kc × nc block of packed B stays in L2
///   for pc in k by ~DepthBlock         // kc: the depth of one micro-kernel call
///     pack B[pc.., jc..] into NR-wide panels (skipped when m fits one row tile, or B fits L2)
///     for jr in nc by NR               // one kc × NR panel of B (32 KB) stays in L1 ...
///       for ir in m by MR              // ... while MR × kc slivers of A stream past it from L2
///         micro-kernel(kc) on C[ir.., jc + jr..]   // compiled for the tile's exact row count
/// </code>
/// A is never packed: the kernel broadcasts A(i, p) straight from row-major or transposed storage,
/// which keeps the small-m cases (batch 1) free of packing work. Walking all of A against one L1-resident
/// B panel moves far less data from L2 per kernel call (an 8 × 256 sliver, 8 KB) than the reverse order
/// (a whole 32 KB panel per call); measured ~10% faster on 64 × 196 × 800.
/// </remarks>
internal static class GemmDriver
{
    /// <summary>kc: a 256 × 32 panel of B is 32 KB, two thirds of a 48 KB L1d (Zen 5; tuned there).</summary>
    public const int DepthBlock = 256;

    /// <summary>nc: a 256 × 512 block of packed B is 512 KB, half of a 1 MB L2.</summary>
    public const int ColumnBlock = 512;

    /// <summary>
    /// Up to this many elements (1 MB) B is read where it lies even when several row tiles reuse it, as long as
    /// there are at most <see cref="InPlaceMaxRows"/> rows: a B that fits L2 gains little from packing, and the
    /// copy is not amortized over many row tiles. Measured: 16 × 100 × 150 1.23×, 32 × 784 × 25 1.2×,
    /// 64 × 196 × 800 1.08× faster in place; 384 × 784 × 25 and 64 × 3136 × 1000 slightly slower.
    /// </summary>
    private const long InPlaceLimit = 1 << 18;

    private const int InPlaceMaxRows = 64;

    /// <summary>Largest Rows × Columns of any kernel, for the stack tile that ragged tiles go through.</summary>
    private const int MaxTileSize = 8 * 32;

    /// <summary>
    /// A(i, p) is at <c>a[i · aRowStride + p · aDepthStride]</c>, B(p, j) at <c>b[p · bDepthStride + j · bColumnStride]</c>
    /// (one B stride must be 1), C(i, j) at <c>c[i · cRowStride + j]</c>. Requires k ≥ 1. The parallel split hands
    /// each worker a block of C's columns or rows as a smaller product with the same strides.
    /// </summary>
    [SkipLocalsInit]
    public static void Run<TKernel>(
        int m,
        int n,
        int k,
        ref float a,
        nint aRowStride,
        nint aDepthStride,
        ref float b,
        nint bDepthStride,
        nint bColumnStride,
        ref float c,
        nint cRowStride,
        bool accumulate)
        where TKernel : struct, IGemmMicroKernel
    {
        int tileRows = TKernel.Rows;
        int tileColumns = TKernel.Columns;
        Span<float> raggedTile = stackalloc float[MaxTileSize];

        // With one row tile (m ≤ MR: small-batch dense gradients, few-channel convolutions) nothing would
        // reuse a packed copy of B, and a small B (LeNet's 150 × 100) stays in L1/L2 where it lies, so full
        // panels are read in place; only a ragged last panel is packed, to pad it with zeros.
        bool readBInPlace = bColumnStride == 1 && (m <= tileRows || ((long)k * n <= InPlaceLimit && m <= InPlaceMaxRows));
        ref float packed = ref !readBInPlace || n % tileColumns != 0
            ? ref KernelScratch.GemmPanel(DepthBlock * ColumnBlock)
            : ref Unsafe.NullRef<float>();

        // Equal depth blocks (k = 800 runs as 4 × 200, not 3 × 256 + 32) so no call is too shallow to
        // amortize loading and storing its C tile.
        int depthBlocks = (k + DepthBlock - 1) / DepthBlock;
        int depthBlock = (k + depthBlocks - 1) / depthBlocks;

        for (int jc = 0; jc < n; jc += ColumnBlock)
        {
            int blockColumns = Math.Min(ColumnBlock, n - jc);
            int raggedStart = blockColumns - (blockColumns % tileColumns);
            for (int pc = 0; pc < k; pc += depthBlock)
            {
                int depth = Math.Min(depthBlock, k - pc);
                bool add = accumulate || pc > 0;
                ref float bBlock = ref Unsafe.Add(ref b, (pc * bDepthStride) + (jc * bColumnStride));
                if (!readBInPlace)
                {
                    GemmPacking.PackB<TKernel>(depth, blockColumns, ref bBlock, bDepthStride, bColumnStride, ref packed);
                }
                else if (raggedStart < blockColumns)
                {
                    GemmPacking.PackB<TKernel>(
                        depth, blockColumns - raggedStart, ref Unsafe.Add(ref bBlock, raggedStart), bDepthStride, 1, ref packed);
                }

                for (int jr = 0; jr < blockColumns; jr += tileColumns)
                {
                    int columns = Math.Min(tileColumns, blockColumns - jr);
                    bool inPlace = readBInPlace && columns == tileColumns;
                    ref float bPanel = ref inPlace
                        ? ref Unsafe.Add(ref bBlock, jr)
                        : ref Unsafe.Add(ref packed, readBInPlace ? 0 : (nint)jr * depth);
                    nint bStep = inPlace ? bDepthStride : tileColumns;
                    for (int ir = 0; ir < m; ir += tileRows)
                    {
                        int rows = Math.Min(tileRows, m - ir);
                        ref float aSliver = ref Unsafe.Add(ref a, (ir * aRowStride) + (pc * aDepthStride));
                        ref float cTile = ref Unsafe.Add(ref c, (ir * cRowStride) + jc + jr);

                        if (columns == tileColumns)
                        {
                            RunTile<TKernel>(rows, narrow: false, depth, ref aSliver, aRowStride, aDepthStride, ref bPanel, bStep, ref cTile, cRowStride, add);
                        }
                        else
                        {
                            RunRaggedTile<TKernel>(
                                rows, columns, depth, ref aSliver, aRowStride, aDepthStride, ref bPanel, bStep, ref cTile, cRowStride, add, raggedTile);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// A ragged tile at the right edge of C: the kernel computes a full-width tile into
    /// <paramref name="tile"/> and only the <paramref name="rows"/> × <paramref name="columns"/> corner is
    /// copied. (Short tiles at the bottom edge need no copy; the kernel stores only the rows C has.)
    /// </summary>
    private static void RunRaggedTile<TKernel>(
        int rows,
        int columns,
        int depth,
        ref float a,
        nint aRowStride,
        nint aDepthStride,
        ref float b,
        nint bDepthStride,
        ref float c,
        nint cRowStride,
        bool accumulate,
        Span<float> tile)
        where TKernel : struct, IGemmMicroKernel
    {
        int tileColumns = TKernel.Columns;
        ref float t = ref MemoryMarshal.GetReference(tile);
        if (accumulate)
        {
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < columns; j++)
                {
                    Unsafe.Add(ref t, (i * tileColumns) + j) = Unsafe.Add(ref c, (i * cRowStride) + j);
                }
            }
        }

        RunTile<TKernel>(rows, narrow: columns <= tileColumns / 2, depth, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref t, tileColumns, accumulate);

        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                Unsafe.Add(ref c, (i * cRowStride) + j) = Unsafe.Add(ref t, (i * tileColumns) + j);
            }
        }
    }

    /// <summary>Calls the kernel compiled for exactly <paramref name="rows"/> rows (at most TKernel.Rows), over one run of depth.</summary>
    internal static void RunTile<TKernel>(
        int rows, bool narrow, nint depth, ref float a, nint aRowStride, nint aDepthStride, ref float b, nint bDepthStride, ref float c, nint cRowStride, bool accumulate)
        where TKernel : struct, IGemmMicroKernel =>
        RunTile<TKernel>(rows, narrow, depth, runs: 1, aRunStride: 0, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);

    /// <summary>
    /// Calls the kernel compiled for exactly <paramref name="rows"/> rows (at most TKernel.Rows) over <paramref name="runs"/>
    /// runs of <paramref name="depth"/> (<see cref="IGemmMicroKernel.Run"/>).
    /// </summary>
    internal static void RunTile<TKernel>(
        int rows, bool narrow, nint depth, nint runs, nint aRunStride, ref float a, nint aRowStride, nint aDepthStride, ref float b, nint bDepthStride, ref float c, nint cRowStride, bool accumulate)
        where TKernel : struct, IGemmMicroKernel
    {
        switch (rows)
        {
            case 8:
                RunTile<TKernel, TileRows8>(narrow, depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
                break;
            case 7:
                RunTile<TKernel, TileRows7>(narrow, depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
                break;
            case 6:
                RunTile<TKernel, TileRows6>(narrow, depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
                break;
            case 5:
                RunTile<TKernel, TileRows5>(narrow, depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
                break;
            case 4:
                RunTile<TKernel, TileRows4>(narrow, depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
                break;
            case 3:
                RunTile<TKernel, TileRows3>(narrow, depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
                break;
            case 2:
                RunTile<TKernel, TileRows2>(narrow, depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
                break;
            default:
                RunTile<TKernel, TileRows1>(narrow, depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunTile<TKernel, TRows>(
        bool narrow, nint depth, nint runs, nint aRunStride, ref float a, nint aRowStride, nint aDepthStride, ref float b, nint bDepthStride, ref float c, nint cRowStride, bool accumulate)
        where TKernel : struct, IGemmMicroKernel
        where TRows : struct, ITileRows
    {
        if (narrow)
        {
            TKernel.RunNarrow<TRows>(depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
        }
        else
        {
            TKernel.Run<TRows>(depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
        }
    }
}
