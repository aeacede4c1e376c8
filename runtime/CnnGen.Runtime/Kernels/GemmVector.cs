using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// c[j] (+)= B[j, :] · a for j in [0, n) — the m = 1 case of NT, i.e. a matrix–vector product over B in
/// PyTorch's (units, inputs) layout: an unfrozen dense layer's forward at batch 1 (the seed net's dense1,
/// 1000 × 3136, 12.5 MB). Each output is the dot product of one row of B with a, so B is read once, front to
/// back, and nothing is packed (a packed copy would go stale when the caller writes through
/// <c>Parameters</c>). <see cref="GemmParallel"/> splits the rows over the threads.
/// </summary>
/// <remarks>
/// Eight rows of B run at a time: eight independent multiply-add chains (enough for two FMA pipes with a
/// 4-cycle latency) sharing each vector of a, and eight sequential streams. The product is bound by the rate
/// at which L3 or memory delivers B, not by arithmetic, so what matters is keeping those streams in flight:
/// each row is prefetched <see cref="PrefetchDistance"/> floats ahead, and as a group of rows nears its end the
/// prefetch runs on into the next group's rows, which the hardware prefetcher would otherwise only pick up
/// after a few demand misses per row (125 restarts of eight streams for the seed net's dense1). The prefetch is
/// a hint that never faults (x86 only; elsewhere the hardware prefetcher alone). The last partial vector of a
/// row re-reads the final full vector with the already-counted lanes of a masked off, so there is no scalar
/// tail; this needs k ≥ one vector (<see cref="GemmDot.MinDepth"/>). Likewise a ragged last group of rows is the last
/// eight rows, overlapping the group before, of which only the new sums are stored. Written once against
/// <see cref="ILanes{TVector}"/>, compiled for 512, 256 and 128 bits.
/// </remarks>
internal static unsafe class GemmVector
{
    /// <summary>Rows of B per sweep: the unit <see cref="GemmParallel"/> splits the rows into.</summary>
    public const int RowGroup = 8;

    /// <summary>
    /// How far ahead each row is prefetched, in floats (1 KB: eight rows keep 8 KB in flight, what an L3 latency of
    /// ≈ 50 ns needs at ≈ 100 GB/s).
    /// </summary>
    private const int PrefetchDistance = 256;

    /// <summary>c[j] (+)= B[j, :] · a for n rows of B, at this machine's widest vectors; k ≥ 16.</summary>
    public static void Run(int n, int k, ref float a, ref float b, ref float c, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Run<Lanes512, Vector512<float>>(n, k, ref a, ref b, ref c, accumulate);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Run<Lanes256, Vector256<float>>(n, k, ref a, ref b, ref c, accumulate);
        }
        else
        {
            Run<Lanes128, Vector128<float>>(n, k, ref a, ref b, ref c, accumulate);
        }
    }

    /// <summary><see cref="Run(int, int, ref float, ref float, ref float, bool)"/> at one vector width; the tests run every width.</summary>
    internal static void Run<TLanes, TVector>(int n, int k, ref float a, ref float b, ref float c, bool accumulate)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        // The last, overlapping vector [k - Count, k) re-reads lanes the main loop already summed; this mask
        // zeroes them in a so they count once. All ones when k is a multiple of Count (no tail).
        TVector tailMask = TLanes.TailMask(k % TLanes.Count);
        if (n < RowGroup)
        {
            // Fewer rows than one group (a small head): each row alone, as a group of eight copies of itself.
            for (int j = 0; j < n; j++)
            {
                Vector256<float> sums = EightRows<TLanes, TVector>(k, ref a, ref Unsafe.Add(ref b, (nint)j * k), 0, tailMask);
                StoreFrom(ref Unsafe.Add(ref c, j), 0, 1, accumulate, sums);
            }

            return;
        }

        for (int j = 0; j < n; j += RowGroup)
        {
            // A ragged last group is the last eight rows, overlapping the group before; only its new rows are stored.
            int first = Math.Min(j, n - RowGroup);
            Vector256<float> sums = EightRows<TLanes, TVector>(k, ref a, ref Unsafe.Add(ref b, (nint)first * k), k, tailMask);
            if (first == j)
            {
                GemmDot.Store(ref Unsafe.Add(ref c, j), RowGroup, accumulate, sums);
            }
            else
            {
                StoreFrom(ref Unsafe.Add(ref c, j), j - first, n - j, accumulate, sums);
            }
        }
    }

    /// <summary>
    /// The eight dot products B[r] · a, row r at <c>r · rowStride</c> floats from <paramref name="row0"/> (a stride of 0
    /// makes all eight one row). Two bases, rows 0–3 and 4–7, each with the offsets 1, 2 and 3 strides, keep the depth
    /// loop's addresses in registers at every width.
    /// </summary>
    private static Vector256<float> EightRows<TLanes, TVector>(int k, ref float a, ref float row0, nint rowStride, TVector tailMask)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        ref float row4 = ref Unsafe.Add(ref row0, 4 * rowStride);
        nint stride2 = 2 * rowStride, stride3 = 3 * rowStride;

        // Prefetch addresses as plain numbers, never as refs past B: row r's is p + PrefetchDistance floats into the
        // row, and once that passes the row's end it continues into row r + 8 (seven rows past row r's end).
        nint prefetch0 = (nint)Unsafe.AsPointer(ref row0);
        nint prefetch4 = (nint)Unsafe.AsPointer(ref row4);
        nint strideBytes = rowStride * sizeof(float), pastEnd = (RowGroup - 1) * strideBytes;

        TVector s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        TVector mask = TLanes.AllBitsSet;
        for (nint p = 0; GemmDot.NextStep<TLanes, TVector>(ref p, k, ref mask, tailMask); p += TLanes.Count)
        {
            // Once per 64-byte line: every step at 512 bits, every second or fourth at 256 or 128.
            if (Sse.IsSupported && (TLanes.Count >= 16 || (p & 15) == 0))
            {
                nint ahead = ((p + PrefetchDistance) * sizeof(float)) + (p + PrefetchDistance >= k ? pastEnd : 0);
                Sse.Prefetch0((void*)(prefetch0 + ahead));
                Sse.Prefetch0((void*)(prefetch0 + ahead + strideBytes));
                Sse.Prefetch0((void*)(prefetch0 + ahead + (2 * strideBytes)));
                Sse.Prefetch0((void*)(prefetch0 + ahead + (3 * strideBytes)));
                Sse.Prefetch0((void*)(prefetch4 + ahead));
                Sse.Prefetch0((void*)(prefetch4 + ahead + strideBytes));
                Sse.Prefetch0((void*)(prefetch4 + ahead + (2 * strideBytes)));
                Sse.Prefetch0((void*)(prefetch4 + ahead + (3 * strideBytes)));
            }

            TVector x = TLanes.And(TLanes.Load(ref a, (nuint)p), mask);
            ref float bp = ref Unsafe.Add(ref row0, p);
            ref float bq = ref Unsafe.Add(ref row4, p);
            s0 = TLanes.MultiplyAdd(x, TLanes.Load(ref bp, 0), s0);
            s1 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, rowStride), 0), s1);
            s2 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, stride2), 0), s2);
            s3 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, stride3), 0), s3);
            s4 = TLanes.MultiplyAdd(x, TLanes.Load(ref bq, 0), s4);
            s5 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bq, rowStride), 0), s5);
            s6 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bq, stride2), 0), s6);
            s7 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bq, stride3), 0), s7);
        }

        return TLanes.SumEach(s0, s1, s2, s3, s4, s5, s6, s7);
    }

    /// <summary>c[i] (+)= sums[skip + i] for i in [0, count): the new rows of an overlapping group, or one row.</summary>
    private static void StoreFrom(ref float c, int skip, int count, bool accumulate, Vector256<float> sums)
    {
        for (int i = 0; i < count; i++)
        {
            float sum = sums.GetElement(skip + i);
            Unsafe.Add(ref c, i) = accumulate ? Unsafe.Add(ref c, i) + sum : sum;
        }
    }
}
