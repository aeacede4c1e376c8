using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// AVX2 micro-kernel: a 6 × 16 tile of C in 12 ymm accumulators, the shape of <see cref="GemmKernel512"/>
/// at half width with fewer rows, because 12 + 2 + 1 registers is all 16 ymm registers allow.
/// </summary>
internal readonly struct GemmKernel256 : IGemmMicroKernel
{
    public static int Rows => 6;

    public static int Columns => 16;

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
        // Rows past TRows.Count are compile-time absent: the JIT drops their broadcasts, FMAs and stores.
        int rows = TRows.Count;
        nint a1 = rows > 1 ? aRowStride : 0;
        nint a2 = rows > 2 ? 2 * aRowStride : 0;
        nint a3 = rows > 3 ? 3 * aRowStride : 0;
        nint a4 = rows > 4 ? 4 * aRowStride : 0;
        nint a5 = rows > 5 ? 5 * aRowStride : 0;

        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate)
        {
            // Only the rows C has are read; the others start from zero and are never stored.
            c00 = Vector256.LoadUnsafe(ref c);
            c01 = Vector256.LoadUnsafe(ref c, 8);
            c10 = rows > 1 ? Vector256.LoadUnsafe(ref c, (nuint)cRowStride) : Vector256<float>.Zero;
            c11 = rows > 1 ? Vector256.LoadUnsafe(ref c, (nuint)(cRowStride + 8)) : Vector256<float>.Zero;
            c20 = rows > 2 ? Vector256.LoadUnsafe(ref c, (nuint)(2 * cRowStride)) : Vector256<float>.Zero;
            c21 = rows > 2 ? Vector256.LoadUnsafe(ref c, (nuint)((2 * cRowStride) + 8)) : Vector256<float>.Zero;
            c30 = rows > 3 ? Vector256.LoadUnsafe(ref c, (nuint)(3 * cRowStride)) : Vector256<float>.Zero;
            c31 = rows > 3 ? Vector256.LoadUnsafe(ref c, (nuint)((3 * cRowStride) + 8)) : Vector256<float>.Zero;
            c40 = rows > 4 ? Vector256.LoadUnsafe(ref c, (nuint)(4 * cRowStride)) : Vector256<float>.Zero;
            c41 = rows > 4 ? Vector256.LoadUnsafe(ref c, (nuint)((4 * cRowStride) + 8)) : Vector256<float>.Zero;
            c50 = rows > 5 ? Vector256.LoadUnsafe(ref c, (nuint)(5 * cRowStride)) : Vector256<float>.Zero;
            c51 = rows > 5 ? Vector256.LoadUnsafe(ref c, (nuint)((5 * cRowStride) + 8)) : Vector256<float>.Zero;
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }

        ref float runStart = ref a;
        for (nint run = 0; run < runs; run++)
        {
            a = ref Unsafe.Add(ref runStart, run * aRunStride);
            for (nint p = 0; p < depth; p++)
            {
                Vector256<float> b0 = Vector256.LoadUnsafe(ref b);
                Vector256<float> b1 = Vector256.LoadUnsafe(ref b, 8);

                Vector256<float> ai = Vector256.Create(a);
                c00 = MultiplyAdd(ai, b0, c00);
                c01 = MultiplyAdd(ai, b1, c01);
                if (rows > 1)
                {
                    ai = Vector256.Create(Unsafe.Add(ref a, a1));
                    c10 = MultiplyAdd(ai, b0, c10);
                    c11 = MultiplyAdd(ai, b1, c11);
                }

                if (rows > 2)
                {
                    ai = Vector256.Create(Unsafe.Add(ref a, a2));
                    c20 = MultiplyAdd(ai, b0, c20);
                    c21 = MultiplyAdd(ai, b1, c21);
                }

                if (rows > 3)
                {
                    ai = Vector256.Create(Unsafe.Add(ref a, a3));
                    c30 = MultiplyAdd(ai, b0, c30);
                    c31 = MultiplyAdd(ai, b1, c31);
                }

                if (rows > 4)
                {
                    ai = Vector256.Create(Unsafe.Add(ref a, a4));
                    c40 = MultiplyAdd(ai, b0, c40);
                    c41 = MultiplyAdd(ai, b1, c41);
                }

                if (rows > 5)
                {
                    ai = Vector256.Create(Unsafe.Add(ref a, a5));
                    c50 = MultiplyAdd(ai, b0, c50);
                    c51 = MultiplyAdd(ai, b1, c51);
                }

                a = ref Unsafe.Add(ref a, aDepthStride);
                b = ref Unsafe.Add(ref b, bDepthStride);
            }
        }

        c00.StoreUnsafe(ref c);
        c01.StoreUnsafe(ref c, 8);

        if (rows > 1)
        {
            c10.StoreUnsafe(ref c, (nuint)cRowStride);
            c11.StoreUnsafe(ref c, (nuint)(cRowStride + 8));
        }

        if (rows > 2)
        {
            c20.StoreUnsafe(ref c, (nuint)(2 * cRowStride));
            c21.StoreUnsafe(ref c, (nuint)((2 * cRowStride) + 8));
        }

        if (rows > 3)
        {
            c30.StoreUnsafe(ref c, (nuint)(3 * cRowStride));
            c31.StoreUnsafe(ref c, (nuint)((3 * cRowStride) + 8));
        }

        if (rows > 4)
        {
            c40.StoreUnsafe(ref c, (nuint)(4 * cRowStride));
            c41.StoreUnsafe(ref c, (nuint)((4 * cRowStride) + 8));
        }

        if (rows > 5)
        {
            c50.StoreUnsafe(ref c, (nuint)(5 * cRowStride));
            c51.StoreUnsafe(ref c, (nuint)((5 * cRowStride) + 8));
        }
    }

    /// <summary>The left 8 columns only (6 accumulators), for a ragged last panel that narrow.</summary>
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
        nint a1 = rows > 1 ? aRowStride : 0;
        nint a2 = rows > 2 ? 2 * aRowStride : 0;
        nint a3 = rows > 3 ? 3 * aRowStride : 0;
        nint a4 = rows > 4 ? 4 * aRowStride : 0;
        nint a5 = rows > 5 ? 5 * aRowStride : 0;

        Vector256<float> c00, c10, c20, c30, c40, c50;
        if (accumulate)
        {
            c00 = Vector256.LoadUnsafe(ref c);
            c10 = rows > 1 ? Vector256.LoadUnsafe(ref c, (nuint)cRowStride) : Vector256<float>.Zero;
            c20 = rows > 2 ? Vector256.LoadUnsafe(ref c, (nuint)(2 * cRowStride)) : Vector256<float>.Zero;
            c30 = rows > 3 ? Vector256.LoadUnsafe(ref c, (nuint)(3 * cRowStride)) : Vector256<float>.Zero;
            c40 = rows > 4 ? Vector256.LoadUnsafe(ref c, (nuint)(4 * cRowStride)) : Vector256<float>.Zero;
            c50 = rows > 5 ? Vector256.LoadUnsafe(ref c, (nuint)(5 * cRowStride)) : Vector256<float>.Zero;
        }
        else
        {
            c00 = c10 = c20 = c30 = c40 = c50 = Vector256<float>.Zero;
        }

        ref float runStart = ref a;
        for (nint run = 0; run < runs; run++)
        {
            a = ref Unsafe.Add(ref runStart, run * aRunStride);
            for (nint p = 0; p < depth; p++)
            {
                Vector256<float> b0 = Vector256.LoadUnsafe(ref b);
                c00 = MultiplyAdd(Vector256.Create(a), b0, c00);
                if (rows > 1)
                {
                    c10 = MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, a1)), b0, c10);
                }

                if (rows > 2)
                {
                    c20 = MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, a2)), b0, c20);
                }

                if (rows > 3)
                {
                    c30 = MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, a3)), b0, c30);
                }

                if (rows > 4)
                {
                    c40 = MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, a4)), b0, c40);
                }

                if (rows > 5)
                {
                    c50 = MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, a5)), b0, c50);
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
    }

    // Vector256.FusedMultiplyAdd is emulated in software on AVX-without-FMA hardware; fall back to
    // a separate multiply and add there instead.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplyAdd(Vector256<float> x, Vector256<float> y, Vector256<float> addend) =>
        Fma.IsSupported ? Fma.MultiplyAdd(x, y, addend) : (x * y) + addend;
}
