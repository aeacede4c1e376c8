using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// C[m, n] (+)= A[m, k] · B[n, k]ᵀ for a few rows of A — a dense layer's forward pass at small batch.
/// Both operands are depth-contiguous, so each C(i, j) is a dot product of two rows. One sweep walks
/// four rows of B at a time against up to four rows of A, streaming the weight matrix B (12.5 MB for
/// 1000 × 3136) once per four rows of A at memory bandwidth, with no packing; at batch 1 this is GEMV.
/// The last partial vector of each row is handled by re-reading the final full vector with the
/// already-counted lanes masked off, so there is no scalar tail; this needs k ≥ 16.
/// </summary>
internal static class GemmDot
{
    /// <summary>
    /// Up to this many rows of A (two sweeps over B) the dot path beats packing a transposed B for the
    /// blocked kernel. Measured on an AVX-512 EPYC with 1000 × 3136 weights: m = 4 takes 310 µs here
    /// against 810 µs packed, m = 8 540 against 720; at m = 12 packing wins (740 against 1000).
    /// </summary>
    public const int MaxRows = 8;

    /// <summary>
    /// Below this depth the per-element horizontal sums dominate and the blocked kernel is faster
    /// (4 × 1000 × 64: 11 µs here, 9 µs blocked; 6 × 1024 × 25: 13 µs against 4 µs).
    /// </summary>
    public const int MinDepth = 128;

    /// <summary>Whether <see cref="Gemm.MultiplyNT"/> should take this path for an m × k A.</summary>
    public static bool Pays(int m, int k) => Vector512.IsHardwareAccelerated && m <= MaxRows && k >= MinDepth;

    /// <summary>Correct for any m ≥ 1 and k ≥ 16 (one full vector), on hardware with Vector512.</summary>
    public static void Run(int m, int n, int k, ref float a, ref float b, ref float c, bool accumulate)
    {
        // The last, overlapping vector [k - 16, k) re-reads lanes the main loop already summed; this mask
        // zeroes them in A so they count once. All ones when k is a multiple of 16 (no tail).
        int tail = k % Vector512<float>.Count;
        Vector512<float> tailMask = Vector512.GreaterThanOrEqual(
            Vector512<int>.Indices, Vector512.Create(tail == 0 ? 0 : Vector512<float>.Count - tail)).AsSingle();

        for (int i = 0; i < m; i += 4)
        {
            int rows = Math.Min(4, m - i);
            ref float aRows = ref Unsafe.Add(ref a, (nint)i * k);
            ref float cRows = ref Unsafe.Add(ref c, (nint)i * n);
            for (int j = 0; j < n; j += 4)
            {
                // Missing rows of B (n not a multiple of 4) alias the last row; their sums are not stored.
                nint b1 = Math.Min(j + 1, n - 1) - j, b2 = Math.Min(j + 2, n - 1) - j, b3 = Math.Min(j + 3, n - 1) - j;
                ref float bRows = ref Unsafe.Add(ref b, (nint)j * k);
                int columns = Math.Min(4, n - j);
                if (rows == 1)
                {
                    OneRowOfA(k, ref aRows, ref bRows, b1 * k, b2 * k, b3 * k, tailMask, ref Unsafe.Add(ref cRows, j), columns, accumulate);
                }
                else
                {
                    FourRowsOfA(
                        rows, n, k, ref aRows, ref bRows, b1 * k, b2 * k, b3 * k, tailMask, ref Unsafe.Add(ref cRows, j), columns, accumulate);
                }
            }
        }
    }

    private static void OneRowOfA(
        int k, ref float a, ref float b0, nint b1, nint b2, nint b3, Vector512<float> tailMask, ref float c, int columns, bool accumulate)
    {
        Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        Vector512<float> mask = Vector512<float>.AllBitsSet;
        nint p = 0;
        while (true)
        {
            if (p > k - Vector512<float>.Count)
            {
                if (p == k)
                {
                    break;
                }

                // One overlapping last step; the mask keeps its already-summed lanes out.
                p = k - Vector512<float>.Count;
                mask = tailMask;
            }

            Vector512<float> x = Vector512.LoadUnsafe(ref a, (nuint)p) & mask;
            ref float bp = ref Unsafe.Add(ref b0, p);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref bp, b1)), s1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref bp, b2)), s2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref bp, b3)), s3);
            p += Vector512<float>.Count;
        }

        StoreSums(ref c, columns, accumulate, s0, s1, s2, s3);
    }

    // Rows of A past `rows` alias the last real row (their sums are dropped), so one body serves 2, 3 and 4.
    private static void FourRowsOfA(
        int rows, int n, int k, ref float a0, ref float b0, nint b1, nint b2, nint b3, Vector512<float> tailMask, ref float c, int columns, bool accumulate)
    {
        ref float a1 = ref Unsafe.Add(ref a0, (nint)Math.Min(1, rows - 1) * k);
        ref float a2 = ref Unsafe.Add(ref a0, (nint)Math.Min(2, rows - 1) * k);
        ref float a3 = ref Unsafe.Add(ref a0, (nint)Math.Min(3, rows - 1) * k);
        Vector512<float> s00 = Vector512<float>.Zero, s01 = s00, s02 = s00, s03 = s00;
        Vector512<float> s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        Vector512<float> s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        Vector512<float> s30 = s00, s31 = s00, s32 = s00, s33 = s00;

        nint p = 0;
        Vector512<float> mask = Vector512<float>.AllBitsSet;
        while (true)
        {
            if (p > k - Vector512<float>.Count)
            {
                if (p == k)
                {
                    break;
                }

                // One overlapping last step; the mask keeps its already-summed lanes out.
                p = k - Vector512<float>.Count;
                mask = tailMask;
            }

            ref float bp = ref Unsafe.Add(ref b0, p);
            Vector512<float> y0 = Vector512.LoadUnsafe(ref bp);
            Vector512<float> y1 = Vector512.LoadUnsafe(ref Unsafe.Add(ref bp, b1));
            Vector512<float> y2 = Vector512.LoadUnsafe(ref Unsafe.Add(ref bp, b2));
            Vector512<float> y3 = Vector512.LoadUnsafe(ref Unsafe.Add(ref bp, b3));

            Vector512<float> x = Vector512.LoadUnsafe(ref a0, (nuint)p) & mask;
            s00 = Vector512.FusedMultiplyAdd(x, y0, s00);
            s01 = Vector512.FusedMultiplyAdd(x, y1, s01);
            s02 = Vector512.FusedMultiplyAdd(x, y2, s02);
            s03 = Vector512.FusedMultiplyAdd(x, y3, s03);
            x = Vector512.LoadUnsafe(ref a1, (nuint)p) & mask;
            s10 = Vector512.FusedMultiplyAdd(x, y0, s10);
            s11 = Vector512.FusedMultiplyAdd(x, y1, s11);
            s12 = Vector512.FusedMultiplyAdd(x, y2, s12);
            s13 = Vector512.FusedMultiplyAdd(x, y3, s13);
            x = Vector512.LoadUnsafe(ref a2, (nuint)p) & mask;
            s20 = Vector512.FusedMultiplyAdd(x, y0, s20);
            s21 = Vector512.FusedMultiplyAdd(x, y1, s21);
            s22 = Vector512.FusedMultiplyAdd(x, y2, s22);
            s23 = Vector512.FusedMultiplyAdd(x, y3, s23);
            x = Vector512.LoadUnsafe(ref a3, (nuint)p) & mask;
            s30 = Vector512.FusedMultiplyAdd(x, y0, s30);
            s31 = Vector512.FusedMultiplyAdd(x, y1, s31);
            s32 = Vector512.FusedMultiplyAdd(x, y2, s32);
            s33 = Vector512.FusedMultiplyAdd(x, y3, s33);

            p += Vector512<float>.Count;
        }

        StoreSums(ref c, columns, accumulate, s00, s01, s02, s03);
        if (rows > 1)
        {
            StoreSums(ref Unsafe.Add(ref c, n), columns, accumulate, s10, s11, s12, s13);
        }

        if (rows > 2)
        {
            StoreSums(ref Unsafe.Add(ref c, 2 * n), columns, accumulate, s20, s21, s22, s23);
        }

        if (rows > 3)
        {
            StoreSums(ref Unsafe.Add(ref c, 3 * n), columns, accumulate, s30, s31, s32, s33);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSums(
        ref float c, int columns, bool accumulate, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        Span<float> sums = [Vector512.Sum(s0), Vector512.Sum(s1), Vector512.Sum(s2), Vector512.Sum(s3)];
        for (int j = 0; j < columns; j++)
        {
            Unsafe.Add(ref c, j) = accumulate ? Unsafe.Add(ref c, j) + sums[j] : sums[j];
        }
    }
}
