using System.Runtime.CompilerServices;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// The GEMM micro-kernel, written once against <see cref="ILanes{TVector}"/> and compiled per vector width: a
/// tile of up to Rows × 2 vectors of C (8 × 32 floats in 16 zmm accumulators at 512 bits, 6 × 16 in 12 ymm at
/// 256, 6 × 8 in 12 xmm on x64 and 8 × 8 in 16 of Arm64's 32 registers at 128). Per depth step it loads two
/// vectors of packed B, broadcasts one A value per row and issues two multiply-adds per row — enough
/// independent chains to hide FMA latency on two FMA pipes. Eight rows also divide the usual channel counts
/// (8, 16, 32, 64), where six would leave a partial row block (measured at 512 bits: 64 × 196 × 800 runs ~8%
/// faster than with a 6 × 32 tile).
/// </summary>
/// <remarks>
/// Every <c>rows &gt; r</c> and <c>two</c> test below is a JIT-time constant (<see cref="ITileRows.Count"/>,
/// <see cref="ITileVectors.Two"/>), so each row count and width compiles to straight-line code for exactly its
/// rows; the narrow form (one vector per row) serves a ragged last panel.
/// </remarks>
internal readonly struct GemmKernel<TLanes, TVector> : IGemmMicroKernel
    where TLanes : struct, ILanes<TVector>
    where TVector : struct
{
    public static int Rows => TLanes.Rows;

    public static int Columns => 2 * TLanes.Count;

    // NoInlining: each row count stays one method of its own (as the hand-written kernels were), not all sixteen
    // inlined into GemmDriver.RunTile's switch, where the JIT's inlining budget would decide which ones stay calls.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static unsafe void Run<TRows>(
        nint depth, nint runs, nint aRunStride, ref float a, nint aRowStride, nint aDepthStride, ref float b, nint bDepthStride, ref float c, nint cRowStride, bool accumulate)
        where TRows : struct, ITileRows
    {
        // A pinned for TLanes.LoadBroadcast (a method with a pinned local is not inlined, so the pin is here).
        fixed (float* pinned = &a)
        {
            Tile<TRows, TwoVectors>(depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
        }
    }

    /// <summary>The left vector of columns only (one accumulator per row), for a ragged last panel that narrow.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static unsafe void RunNarrow<TRows>(
        nint depth, nint runs, nint aRunStride, ref float a, nint aRowStride, nint aDepthStride, ref float b, nint bDepthStride, ref float c, nint cRowStride, bool accumulate)
        where TRows : struct, ITileRows
    {
        fixed (float* pinned = &a)
        {
            Tile<TRows, OneVector>(depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TRows, TVectors>(
        nint depth, nint runs, nint aRunStride, ref float a, nint aRowStride, nint aDepthStride, ref float b, nint bDepthStride, ref float c, nint cRowStride, bool accumulate)
        where TRows : struct, ITileRows
        where TVectors : struct, ITileVectors
    {
        int rows = TRows.Count;
        bool two = TVectors.Two;
        nuint second = (nuint)TLanes.Count;
        nint a2 = 2 * aRowStride, a3 = 3 * aRowStride, a4 = 4 * aRowStride;
        nint a5 = 5 * aRowStride, a6 = 6 * aRowStride, a7 = 7 * aRowStride;

        // Only the rows C has are read; the others start from zero and are never stored.
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        TVector c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        if (accumulate)
        {
            c00 = TLanes.Load(ref c, 0);
            c01 = two ? TLanes.Load(ref c, second) : default;
            c10 = rows > 1 ? TLanes.Load(ref c, (nuint)cRowStride) : default;
            c11 = rows > 1 && two ? TLanes.Load(ref c, (nuint)cRowStride + second) : default;
            c20 = rows > 2 ? TLanes.Load(ref c, (nuint)(2 * cRowStride)) : default;
            c21 = rows > 2 && two ? TLanes.Load(ref c, (nuint)(2 * cRowStride) + second) : default;
            c30 = rows > 3 ? TLanes.Load(ref c, (nuint)(3 * cRowStride)) : default;
            c31 = rows > 3 && two ? TLanes.Load(ref c, (nuint)(3 * cRowStride) + second) : default;
            c40 = rows > 4 ? TLanes.Load(ref c, (nuint)(4 * cRowStride)) : default;
            c41 = rows > 4 && two ? TLanes.Load(ref c, (nuint)(4 * cRowStride) + second) : default;
            c50 = rows > 5 ? TLanes.Load(ref c, (nuint)(5 * cRowStride)) : default;
            c51 = rows > 5 && two ? TLanes.Load(ref c, (nuint)(5 * cRowStride) + second) : default;
            c60 = rows > 6 ? TLanes.Load(ref c, (nuint)(6 * cRowStride)) : default;
            c61 = rows > 6 && two ? TLanes.Load(ref c, (nuint)(6 * cRowStride) + second) : default;
            c70 = rows > 7 ? TLanes.Load(ref c, (nuint)(7 * cRowStride)) : default;
            c71 = rows > 7 && two ? TLanes.Load(ref c, (nuint)(7 * cRowStride) + second) : default;
        }

        ref float runStart = ref a;
        for (nint run = 0; run < runs; run++)
        {
            a = ref Unsafe.Add(ref runStart, run * aRunStride);
            for (nint p = 0; p < depth; p++)
            {
                TVector b0 = TLanes.Load(ref b, 0);
                TVector b1 = two ? TLanes.Load(ref b, second) : default;

                TVector ai = TLanes.LoadBroadcast(ref a);
                c00 = TLanes.MultiplyAdd(ai, b0, c00);
                if (two)
                {
                    c01 = TLanes.MultiplyAdd(ai, b1, c01);
                }

                if (rows > 1)
                {
                    ai = TLanes.LoadBroadcast(ref Unsafe.Add(ref a, aRowStride));
                    c10 = TLanes.MultiplyAdd(ai, b0, c10);
                    if (two)
                    {
                        c11 = TLanes.MultiplyAdd(ai, b1, c11);
                    }
                }

                if (rows > 2)
                {
                    ai = TLanes.LoadBroadcast(ref Unsafe.Add(ref a, a2));
                    c20 = TLanes.MultiplyAdd(ai, b0, c20);
                    if (two)
                    {
                        c21 = TLanes.MultiplyAdd(ai, b1, c21);
                    }
                }

                if (rows > 3)
                {
                    ai = TLanes.LoadBroadcast(ref Unsafe.Add(ref a, a3));
                    c30 = TLanes.MultiplyAdd(ai, b0, c30);
                    if (two)
                    {
                        c31 = TLanes.MultiplyAdd(ai, b1, c31);
                    }
                }

                if (rows > 4)
                {
                    ai = TLanes.LoadBroadcast(ref Unsafe.Add(ref a, a4));
                    c40 = TLanes.MultiplyAdd(ai, b0, c40);
                    if (two)
                    {
                        c41 = TLanes.MultiplyAdd(ai, b1, c41);
                    }
                }

                if (rows > 5)
                {
                    ai = TLanes.LoadBroadcast(ref Unsafe.Add(ref a, a5));
                    c50 = TLanes.MultiplyAdd(ai, b0, c50);
                    if (two)
                    {
                        c51 = TLanes.MultiplyAdd(ai, b1, c51);
                    }
                }

                if (rows > 6)
                {
                    ai = TLanes.LoadBroadcast(ref Unsafe.Add(ref a, a6));
                    c60 = TLanes.MultiplyAdd(ai, b0, c60);
                    if (two)
                    {
                        c61 = TLanes.MultiplyAdd(ai, b1, c61);
                    }
                }

                if (rows > 7)
                {
                    ai = TLanes.LoadBroadcast(ref Unsafe.Add(ref a, a7));
                    c70 = TLanes.MultiplyAdd(ai, b0, c70);
                    if (two)
                    {
                        c71 = TLanes.MultiplyAdd(ai, b1, c71);
                    }
                }

                a = ref Unsafe.Add(ref a, aDepthStride);
                b = ref Unsafe.Add(ref b, bDepthStride);
            }
        }

        StoreRow<TVectors>(c00, c01, ref c);
        if (rows > 1)
        {
            StoreRow<TVectors>(c10, c11, ref Unsafe.Add(ref c, cRowStride));
        }

        if (rows > 2)
        {
            StoreRow<TVectors>(c20, c21, ref Unsafe.Add(ref c, 2 * cRowStride));
        }

        if (rows > 3)
        {
            StoreRow<TVectors>(c30, c31, ref Unsafe.Add(ref c, 3 * cRowStride));
        }

        if (rows > 4)
        {
            StoreRow<TVectors>(c40, c41, ref Unsafe.Add(ref c, 4 * cRowStride));
        }

        if (rows > 5)
        {
            StoreRow<TVectors>(c50, c51, ref Unsafe.Add(ref c, 5 * cRowStride));
        }

        if (rows > 6)
        {
            StoreRow<TVectors>(c60, c61, ref Unsafe.Add(ref c, 6 * cRowStride));
        }

        if (rows > 7)
        {
            StoreRow<TVectors>(c70, c71, ref Unsafe.Add(ref c, 7 * cRowStride));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TVectors>(TVector first, TVector second, ref float row)
        where TVectors : struct, ITileVectors
    {
        TLanes.Store(first, ref row, 0);
        if (TVectors.Two)
        {
            TLanes.Store(second, ref row, (nuint)TLanes.Count);
        }
    }
}
