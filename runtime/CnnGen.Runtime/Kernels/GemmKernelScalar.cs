using System.Runtime.CompilerServices;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Portable micro-kernel for hardware without 256-bit SIMD: a 4 × 4 tile in 16 scalar accumulators.
/// Correct everywhere, fast nowhere; it exists so the blocked driver never needs a second code path.
/// </summary>
internal readonly struct GemmKernelScalar : IGemmMicroKernel
{
    public static int Rows => 4;

    public static int Columns => 4;

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
        nint a1 = rows > 1 ? aRowStride : 0;
        nint a2 = rows > 2 ? 2 * aRowStride : 0;
        nint a3 = rows > 3 ? 3 * aRowStride : 0;

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;

        ref float runStart = ref a;
        for (nint run = 0; run < runs; run++)
        {
            a = ref Unsafe.Add(ref runStart, run * aRunStride);
            for (nint p = 0; p < depth; p++)
            {
                float b0 = b, b1 = Unsafe.Add(ref b, 1), b2 = Unsafe.Add(ref b, 2), b3 = Unsafe.Add(ref b, 3);
                float ai = a;
                c00 += ai * b0; c01 += ai * b1; c02 += ai * b2; c03 += ai * b3;
                ai = Unsafe.Add(ref a, a1);
                c10 += ai * b0; c11 += ai * b1; c12 += ai * b2; c13 += ai * b3;
                ai = Unsafe.Add(ref a, a2);
                c20 += ai * b0; c21 += ai * b1; c22 += ai * b2; c23 += ai * b3;
                ai = Unsafe.Add(ref a, a3);
                c30 += ai * b0; c31 += ai * b1; c32 += ai * b2; c33 += ai * b3;

                a = ref Unsafe.Add(ref a, aDepthStride);
                b = ref Unsafe.Add(ref b, bDepthStride);
            }
        }

        StoreRow(ref c, accumulate, c00, c01, c02, c03);
        if (rows > 1)
        {
            StoreRow(ref Unsafe.Add(ref c, cRowStride), accumulate, c10, c11, c12, c13);
        }

        if (rows > 2)
        {
            StoreRow(ref Unsafe.Add(ref c, 2 * cRowStride), accumulate, c20, c21, c22, c23);
        }

        if (rows > 3)
        {
            StoreRow(ref Unsafe.Add(ref c, 3 * cRowStride), accumulate, c30, c31, c32, c33);
        }
    }

    /// <summary>Computes the full tile; the narrow case is not worth a second scalar body.</summary>
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
        where TRows : struct, ITileRows =>
        Run<TRows>(depth, runs, aRunStride, ref a, aRowStride, aDepthStride, ref b, bDepthStride, ref c, cRowStride, accumulate);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ref float row, bool accumulate, float v0, float v1, float v2, float v3)
    {
        if (accumulate)
        {
            v0 += row;
            v1 += Unsafe.Add(ref row, 1);
            v2 += Unsafe.Add(ref row, 2);
            v3 += Unsafe.Add(ref row, 3);
        }

        row = v0;
        Unsafe.Add(ref row, 1) = v1;
        Unsafe.Add(ref row, 2) = v2;
        Unsafe.Add(ref row, 3) = v3;
    }
}
