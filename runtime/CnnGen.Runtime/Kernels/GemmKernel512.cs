using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// AVX-512 micro-kernel: up to an 8 × 32 tile of C in 16 zmm accumulators. Per depth step it loads two
/// vectors of packed B, broadcasts one A value per row and issues two FMAs per row — at eight rows enough
/// independent chains to hide FMA latency on two FMA pipes, and 16 + 2 + 1 registers of the 32. Eight rows
/// also divide the usual channel counts (8, 16, 32, 64), where six would leave a partial row block
/// (measured: 64 × 196 × 800 runs ~8% faster than with a 6 × 32 tile).
/// </summary>
/// <remarks>
/// Every <c>if (rows &gt; r)</c> below tests a JIT-time constant (<see cref="ITileRows.Count"/>), so each row
/// count compiles to straight-line code for exactly its rows.
/// </remarks>
internal readonly struct GemmKernel512 : IGemmMicroKernel
{
    public static int Rows => 8;

    public static int Columns => 32;

    public static void Run<TRows>(
        nint depth,
        nint runs,
        nint aRunStride,
        ref float a,
        nint aRowStride,
        nint aDepthStride,
        ref float b,
        nint bDepthStride,
        ref float c,
        nint cRowStride,
        bool accumulate)
        where TRows : struct, ITileRows
    {
        int rows = TRows.Count;
        nint a2 = 2 * aRowStride, a3 = 3 * aRowStride, a4 = 4 * aRowStride;
        nint a5 = 5 * aRowStride, a6 = 6 * aRowStride, a7 = 7 * aRowStride;

        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        if (accumulate)
        {
            c00 = Vector512.LoadUnsafe(ref c);
            c01 = Vector512.LoadUnsafe(ref c, 16);
            if (rows > 1)
            {
                c10 = Vector512.LoadUnsafe(ref c, (nuint)cRowStride);
                c11 = Vector512.LoadUnsafe(ref c, (nuint)(cRowStride + 16));
            }

            if (rows > 2)
            {
                c20 = Vector512.LoadUnsafe(ref c, (nuint)(2 * cRowStride));
                c21 = Vector512.LoadUnsafe(ref c, (nuint)((2 * cRowStride) + 16));
            }

            if (rows > 3)
            {
                c30 = Vector512.LoadUnsafe(ref c, (nuint)(3 * cRowStride));
                c31 = Vector512.LoadUnsafe(ref c, (nuint)((3 * cRowStride) + 16));
            }

            if (rows > 4)
            {
                c40 = Vector512.LoadUnsafe(ref c, (nuint)(4 * cRowStride));
                c41 = Vector512.LoadUnsafe(ref c, (nuint)((4 * cRowStride) + 16));
            }

            if (rows > 5)
            {
                c50 = Vector512.LoadUnsafe(ref c, (nuint)(5 * cRowStride));
                c51 = Vector512.LoadUnsafe(ref c, (nuint)((5 * cRowStride) + 16));
            }

            if (rows > 6)
            {
                c60 = Vector512.LoadUnsafe(ref c, (nuint)(6 * cRowStride));
                c61 = Vector512.LoadUnsafe(ref c, (nuint)((6 * cRowStride) + 16));
            }

            if (rows > 7)
            {
                c70 = Vector512.LoadUnsafe(ref c, (nuint)(7 * cRowStride));
                c71 = Vector512.LoadUnsafe(ref c, (nuint)((7 * cRowStride) + 16));
            }
        }

        ref float runStart = ref a;
        for (nint run = 0; run < runs; run++)
        {
            a = ref Unsafe.Add(ref runStart, run * aRunStride);
            for (nint p = 0; p < depth; p++)
            {
                Vector512<float> b0 = Vector512.LoadUnsafe(ref b);
                Vector512<float> b1 = Vector512.LoadUnsafe(ref b, 16);

                Vector512<float> ai = Vector512.Create(a);
                c00 = Vector512.FusedMultiplyAdd(ai, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
                if (rows > 1)
                {
                    ai = Vector512.Create(Unsafe.Add(ref a, aRowStride));
                    c10 = Vector512.FusedMultiplyAdd(ai, b0, c10);
                    c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
                }

                if (rows > 2)
                {
                    ai = Vector512.Create(Unsafe.Add(ref a, a2));
                    c20 = Vector512.FusedMultiplyAdd(ai, b0, c20);
                    c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
                }

                if (rows > 3)
                {
                    ai = Vector512.Create(Unsafe.Add(ref a, a3));
                    c30 = Vector512.FusedMultiplyAdd(ai, b0, c30);
                    c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
                }

                if (rows > 4)
                {
                    ai = Vector512.Create(Unsafe.Add(ref a, a4));
                    c40 = Vector512.FusedMultiplyAdd(ai, b0, c40);
                    c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
                }

                if (rows > 5)
                {
                    ai = Vector512.Create(Unsafe.Add(ref a, a5));
                    c50 = Vector512.FusedMultiplyAdd(ai, b0, c50);
                    c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
                }

                if (rows > 6)
                {
                    ai = Vector512.Create(Unsafe.Add(ref a, a6));
                    c60 = Vector512.FusedMultiplyAdd(ai, b0, c60);
                    c61 = Vector512.FusedMultiplyAdd(ai, b1, c61);
                }

                if (rows > 7)
                {
                    ai = Vector512.Create(Unsafe.Add(ref a, a7));
                    c70 = Vector512.FusedMultiplyAdd(ai, b0, c70);
                    c71 = Vector512.FusedMultiplyAdd(ai, b1, c71);
                }

                a = ref Unsafe.Add(ref a, aDepthStride);
                b = ref Unsafe.Add(ref b, bDepthStride);
            }
        }

        c00.StoreUnsafe(ref c);
        c01.StoreUnsafe(ref c, 16);
        if (rows > 1)
        {
            c10.StoreUnsafe(ref c, (nuint)cRowStride);
            c11.StoreUnsafe(ref c, (nuint)(cRowStride + 16));
        }

        if (rows > 2)
        {
            c20.StoreUnsafe(ref c, (nuint)(2 * cRowStride));
            c21.StoreUnsafe(ref c, (nuint)((2 * cRowStride) + 16));
        }

        if (rows > 3)
        {
            c30.StoreUnsafe(ref c, (nuint)(3 * cRowStride));
            c31.StoreUnsafe(ref c, (nuint)((3 * cRowStride) + 16));
        }

        if (rows > 4)
        {
            c40.StoreUnsafe(ref c, (nuint)(4 * cRowStride));
            c41.StoreUnsafe(ref c, (nuint)((4 * cRowStride) + 16));
        }

        if (rows > 5)
        {
            c50.StoreUnsafe(ref c, (nuint)(5 * cRowStride));
            c51.StoreUnsafe(ref c, (nuint)((5 * cRowStride) + 16));
        }

        if (rows > 6)
        {
            c60.StoreUnsafe(ref c, (nuint)(6 * cRowStride));
            c61.StoreUnsafe(ref c, (nuint)((6 * cRowStride) + 16));
        }

        if (rows > 7)
        {
            c70.StoreUnsafe(ref c, (nuint)(7 * cRowStride));
            c71.StoreUnsafe(ref c, (nuint)((7 * cRowStride) + 16));
        }
    }

    /// <summary>The left 16 columns only (one accumulator per row), for a ragged last panel that narrow.</summary>
    public static void RunNarrow<TRows>(
        nint depth,
        nint runs,
        nint aRunStride,
        ref float a,
        nint aRowStride,
        nint aDepthStride,
        ref float b,
        nint bDepthStride,
        ref float c,
        nint cRowStride,
        bool accumulate)
        where TRows : struct, ITileRows
    {
        int rows = TRows.Count;
        nint a2 = 2 * aRowStride, a3 = 3 * aRowStride, a4 = 4 * aRowStride;
        nint a5 = 5 * aRowStride, a6 = 6 * aRowStride, a7 = 7 * aRowStride;

        Vector512<float> c00 = default, c10 = default, c20 = default, c30 = default, c40 = default, c50 = default, c60 = default, c70 = default;
        if (accumulate)
        {
            c00 = Vector512.LoadUnsafe(ref c);
            c10 = rows > 1 ? Vector512.LoadUnsafe(ref c, (nuint)cRowStride) : default;
            c20 = rows > 2 ? Vector512.LoadUnsafe(ref c, (nuint)(2 * cRowStride)) : default;
            c30 = rows > 3 ? Vector512.LoadUnsafe(ref c, (nuint)(3 * cRowStride)) : default;
            c40 = rows > 4 ? Vector512.LoadUnsafe(ref c, (nuint)(4 * cRowStride)) : default;
            c50 = rows > 5 ? Vector512.LoadUnsafe(ref c, (nuint)(5 * cRowStride)) : default;
            c60 = rows > 6 ? Vector512.LoadUnsafe(ref c, (nuint)(6 * cRowStride)) : default;
            c70 = rows > 7 ? Vector512.LoadUnsafe(ref c, (nuint)(7 * cRowStride)) : default;
        }

        ref float runStart = ref a;
        for (nint run = 0; run < runs; run++)
        {
            a = ref Unsafe.Add(ref runStart, run * aRunStride);
            for (nint p = 0; p < depth; p++)
            {
                Vector512<float> b0 = Vector512.LoadUnsafe(ref b);
                c00 = Vector512.FusedMultiplyAdd(Vector512.Create(a), b0, c00);
                if (rows > 1)
                {
                    c10 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, aRowStride)), b0, c10);
                }

                if (rows > 2)
                {
                    c20 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, a2)), b0, c20);
                }

                if (rows > 3)
                {
                    c30 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, a3)), b0, c30);
                }

                if (rows > 4)
                {
                    c40 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, a4)), b0, c40);
                }

                if (rows > 5)
                {
                    c50 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, a5)), b0, c50);
                }

                if (rows > 6)
                {
                    c60 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, a6)), b0, c60);
                }

                if (rows > 7)
                {
                    c70 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, a7)), b0, c70);
                }

                a = ref Unsafe.Add(ref a, aDepthStride);
                b = ref Unsafe.Add(ref b, bDepthStride);
            }
        }

        c00.StoreUnsafe(ref c);
        if (rows > 1)
        {
            c10.StoreUnsafe(ref c, (nuint)cRowStride);
        }

        if (rows > 2)
        {
            c20.StoreUnsafe(ref c, (nuint)(2 * cRowStride));
        }

        if (rows > 3)
        {
            c30.StoreUnsafe(ref c, (nuint)(3 * cRowStride));
        }

        if (rows > 4)
        {
            c40.StoreUnsafe(ref c, (nuint)(4 * cRowStride));
        }

        if (rows > 5)
        {
            c50.StoreUnsafe(ref c, (nuint)(5 * cRowStride));
        }

        if (rows > 6)
        {
            c60.StoreUnsafe(ref c, (nuint)(6 * cRowStride));
        }

        if (rows > 7)
        {
            c70.StoreUnsafe(ref c, (nuint)(7 * cRowStride));
        }
    }
}
