using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// C[m, n] (+)= A[m, k] · B[n, k]ᵀ for a few rows of A — a dense layer's forward pass at small batch — or
/// for a C narrower than one tile (a conv weight gradient with a 5 × 5 patch). Both operands are
/// depth-contiguous, so each C(i, j) is a dot product of two rows. Nothing is packed: B (the weights,
/// 12.5 MB for 1000 × 3136) streams once per four-row sweep of A at memory bandwidth; at batch 1 (and for the last
/// row of an odd m) this is the matrix–vector product <see cref="GemmVector"/>.
/// </summary>
/// <remarks>
/// Two to four rows of A run against four rows of B (sixteen chains, each B vector reused by every row of A). The last partial
/// vector of each row re-reads the final full vector with the already-counted lanes of A masked off, so
/// there is no scalar tail; this needs k ≥ 16. The per-element horizontal sums are done eight at a time by
/// one transposing reduction (<see cref="ILanes{TVector}.SumEach"/>), which keeps small k (84, 120) cheap. Written
/// once against <see cref="ILanes{TVector}"/>, compiled for 512, 256 and 128 bits.
/// </remarks>
internal static class GemmDot
{
    /// <summary>
    /// Up to this many rows of A (two sweeps over B) the dot path beats packing a transposed B for the
    /// blocked kernel. Measured on an AVX-512 EPYC with 1000 × 3136 weights: m = 4 takes 310 µs here
    /// against 810 µs packed, m = 8 540 against 720; at m = 12 packing wins (740 against 1000).
    /// </summary>
    public const int MaxRows = 8;

    /// <summary>One full vector: the overlapping tail needs a whole vector to re-read.</summary>
    public const int MinDepth = 16;

    /// <summary>
    /// With fewer columns of C than one 32-wide tile (a conv weight gradient: n = patch, k = pixels) the
    /// blocked path computes a padded tile through scratch and re-packs B every call; sweeping a B that
    /// stays in L2 (up to 1 MB) once per four rows of A is faster at any m, given depth enough to amortize
    /// the horizontal sums. Measured: 32 × 25 × 784 9.1 against 16.7 µs, 64 × 10 × 1000 10.0 against 16.5,
    /// 64 × 25 × 3136 67 against 103; a tie at 64 × 10 × 84; at n = 84 (64 × 84 × 120) the blocked path
    /// wins, 8.1 against 11.6.
    /// </summary>
    public const int NarrowColumns = 32;

    private const int NarrowMinDepth = 128;

    private const long NarrowMaxElements = 256 * 1024;

    /// <summary>
    /// Whether <see cref="Gemm.MultiplyNT"/> should take this path for an m × k A and n × k B. Narrower than
    /// 512 bits only for a few rows of A (a dense layer at small batch: LeNet-5's batch-1 forward
    /// 20.2–20.5 → 10.4–10.6 µs with `DOTNET_EnableAVX512=0`); the narrow-C rule was measured with Vector512 only.
    /// </summary>
    public static bool Pays(int m, int n, int k) =>
        k >= MinDepth
        && (Vector512.IsHardwareAccelerated
            ? m <= MaxRows || (n < NarrowColumns && k >= NarrowMinDepth && (long)n * k <= NarrowMaxElements)
            : m <= MaxRows);

    /// <summary>
    /// Correct for any m ≥ 1 and k ≥ 16, at this machine's widest vectors. C(i, j) is at
    /// <c>c[i · cRowStride + j]</c>, so a worker can take a block of C's columns (rows of B) or rows.
    /// </summary>
    public static void Run(int m, int n, int k, ref float a, ref float b, ref float c, nint cRowStride, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Run<Lanes512, Vector512<float>>(m, n, k, ref a, ref b, ref c, cRowStride, accumulate);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Run<Lanes256, Vector256<float>>(m, n, k, ref a, ref b, ref c, cRowStride, accumulate);
        }
        else
        {
            Run<Lanes128, Vector128<float>>(m, n, k, ref a, ref b, ref c, cRowStride, accumulate);
        }
    }

    /// <summary><see cref="Run(int, int, int, ref float, ref float, ref float, nint, bool)"/> at one vector width; tests run both.</summary>
    internal static void Run<TLanes, TVector>(int m, int n, int k, ref float a, ref float b, ref float c, nint cRowStride, bool accumulate)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        // The last, overlapping vector [k - Count, k) re-reads lanes the main loop already summed; this mask
        // zeroes them in A so they count once. All ones when k is a multiple of Count (no tail).
        TVector tailMask = TLanes.TailMask(k % TLanes.Count);

        int i = 0;
        for (; i + 1 < m; i += 4)
        {
            int rows = Math.Min(4, m - i);
            ref float aRows = ref Unsafe.Add(ref a, (nint)i * k);
            ref float cRows = ref Unsafe.Add(ref c, i * cRowStride);
            for (int j = 0; j < n; j += 4)
            {
                FourRowsOfA<TLanes, TVector>(rows, n, k, ref aRows, ref b, j, tailMask, ref Unsafe.Add(ref cRows, j), cRowStride, accumulate);
            }
        }

        if (i < m)
        {
            GemmVector.Run<TLanes, TVector>(n, k, ref Unsafe.Add(ref a, (nint)i * k), ref b, ref Unsafe.Add(ref c, i * cRowStride), accumulate);
        }
    }

    // C[i .. i + 4, j .. j + 4) (+)= A[i + r] · B[j + q]: rows of A past `rows` alias the last real row and
    // rows of B past n the last row of B; their sums are dropped, so one body serves 2, 3 and 4 rows.
    private static void FourRowsOfA<TLanes, TVector>(
        int rows, int n, int k, ref float a0, ref float b, int j, TVector tailMask, ref float c, nint cRowStride, bool accumulate)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        ref float a1 = ref Unsafe.Add(ref a0, (nint)Math.Min(1, rows - 1) * k);
        ref float a2 = ref Unsafe.Add(ref a0, (nint)Math.Min(2, rows - 1) * k);
        ref float a3 = ref Unsafe.Add(ref a0, (nint)Math.Min(3, rows - 1) * k);
        ref float b0 = ref Unsafe.Add(ref b, (nint)j * k);
        nint b1 = RowOffset(n, k, j, 1), b2 = RowOffset(n, k, j, 2), b3 = RowOffset(n, k, j, 3);
        TVector s00 = default, s01 = default, s02 = default, s03 = default;
        TVector s10 = default, s11 = default, s12 = default, s13 = default;
        TVector s20 = default, s21 = default, s22 = default, s23 = default;
        TVector s30 = default, s31 = default, s32 = default, s33 = default;

        TVector mask = TLanes.AllBitsSet;
        for (nint p = 0; NextStep<TLanes, TVector>(ref p, k, ref mask, tailMask); p += TLanes.Count)
        {

            ref float bp = ref Unsafe.Add(ref b0, p);
            TVector y0 = TLanes.Load(ref bp, 0);
            TVector y1 = TLanes.Load(ref Unsafe.Add(ref bp, b1), 0);
            TVector y2 = TLanes.Load(ref Unsafe.Add(ref bp, b2), 0);
            TVector y3 = TLanes.Load(ref Unsafe.Add(ref bp, b3), 0);

            TVector x = TLanes.And(TLanes.Load(ref a0, (nuint)p), mask);
            s00 = TLanes.MultiplyAdd(x, y0, s00);
            s01 = TLanes.MultiplyAdd(x, y1, s01);
            s02 = TLanes.MultiplyAdd(x, y2, s02);
            s03 = TLanes.MultiplyAdd(x, y3, s03);
            x = TLanes.And(TLanes.Load(ref a1, (nuint)p), mask);
            s10 = TLanes.MultiplyAdd(x, y0, s10);
            s11 = TLanes.MultiplyAdd(x, y1, s11);
            s12 = TLanes.MultiplyAdd(x, y2, s12);
            s13 = TLanes.MultiplyAdd(x, y3, s13);
            x = TLanes.And(TLanes.Load(ref a2, (nuint)p), mask);
            s20 = TLanes.MultiplyAdd(x, y0, s20);
            s21 = TLanes.MultiplyAdd(x, y1, s21);
            s22 = TLanes.MultiplyAdd(x, y2, s22);
            s23 = TLanes.MultiplyAdd(x, y3, s23);
            x = TLanes.And(TLanes.Load(ref a3, (nuint)p), mask);
            s30 = TLanes.MultiplyAdd(x, y0, s30);
            s31 = TLanes.MultiplyAdd(x, y1, s31);
            s32 = TLanes.MultiplyAdd(x, y2, s32);
            s33 = TLanes.MultiplyAdd(x, y3, s33);
        }

        // Each reduction yields two rows of C: [row r, columns 0..3 | row r + 1, columns 0..3].
        int columns = Math.Min(4, n - j);
        Vector256<float> sums = TLanes.SumEach(s00, s01, s02, s03, s10, s11, s12, s13);
        Store(ref c, columns, accumulate, sums.GetLower());
        Store(ref Unsafe.Add(ref c, cRowStride), columns, accumulate, sums.GetUpper());
        if (rows > 2)
        {
            sums = TLanes.SumEach(s20, s21, s22, s23, s30, s31, s32, s33);
            Store(ref Unsafe.Add(ref c, 2 * cRowStride), columns, accumulate, sums.GetLower());
            if (rows > 3)
            {
                Store(ref Unsafe.Add(ref c, 3 * cRowStride), columns, accumulate, sums.GetUpper());
            }
        }
    }

    /// <summary>Offset of row j + r of B from row j, clamped to the last row so loads stay inside B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint RowOffset(int n, int k, int j, int r) => (nint)(Math.Min(j + r, n - 1) - j) * k;

    /// <summary>
    /// The depth loop of a dot product over whole vectors: whether there is a step at <paramref name="p"/>. Past the last
    /// full vector, one overlapping last step re-reads [k − Count, k), and <paramref name="mask"/> becomes the tail mask
    /// that keeps its already-summed lanes out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool NextStep<TLanes, TVector>(ref nint p, int k, ref TVector mask, TVector tailMask)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        if (p > k - TLanes.Count)
        {
            if (p == k)
            {
                return false;
            }

            p = k - TLanes.Count;
            mask = tailMask;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store(ref float c, int columns, bool accumulate, Vector256<float> sums)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            // 128-bit machines: the two halves, as Lanes128 built them.
            Store(ref c, Math.Min(columns, 4), accumulate, sums.GetLower());
            Store(ref Unsafe.Add(ref c, 4), columns - 4, accumulate, sums.GetUpper());
            return;
        }

        if (columns == Vector256<float>.Count)
        {
            (accumulate ? sums + Vector256.LoadUnsafe(ref c) : sums).StoreUnsafe(ref c);
            return;
        }

        for (int j = 0; j < columns; j++)
        {
            Unsafe.Add(ref c, j) = accumulate ? Unsafe.Add(ref c, j) + sums.GetElement(j) : sums.GetElement(j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, int columns, bool accumulate, Vector128<float> sums)
    {
        if (columns == Vector128<float>.Count)
        {
            (accumulate ? sums + Vector128.LoadUnsafe(ref c) : sums).StoreUnsafe(ref c);
            return;
        }

        for (int j = 0; j < columns; j++)
        {
            Unsafe.Add(ref c, j) = accumulate ? Unsafe.Add(ref c, j) + sums.GetElement(j) : sums.GetElement(j);
        }
    }
}
