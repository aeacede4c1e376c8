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
/// tail; this needs k ≥ one vector (<see cref="GemmDot.MinDepth"/>). Written once against
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
        for (int j = 0; j < n; j += RowGroup)
        {
            EightRows<TLanes, TVector>(n, k, ref a, ref b, j, tailMask, ref Unsafe.Add(ref c, j), accumulate);
        }
    }

    // c[j .. j + 8) (+)= B[j + r] · a: eight rows of B, those past n aliasing the last (sums dropped).
    private static void EightRows<TLanes, TVector>(int n, int k, ref float a, ref float b, int j, TVector tailMask, ref float c, bool accumulate)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        ref float b0 = ref Unsafe.Add(ref b, (nint)j * k);
        nint b1 = RowOffset(n, k, j, 1), b2 = RowOffset(n, k, j, 2), b3 = RowOffset(n, k, j, 3);
        nint b4 = RowOffset(n, k, j, 4), b5 = RowOffset(n, k, j, 5), b6 = RowOffset(n, k, j, 6), b7 = RowOffset(n, k, j, 7);

        // Prefetch addresses as plain numbers, never as refs past B: row r's is p + PrefetchDistance floats into
        // the row, and once that passes the row's end it continues into row r + 8 (RowGroup − 1 rows further on).
        nint prefetchRow = (nint)Unsafe.AsPointer(ref b0);
        nint pastEnd = (nint)(RowGroup - 1) * k * sizeof(float);
        TVector s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        TVector mask = TLanes.AllBitsSet;
        nint p = 0;
        while (true)
        {
            if (p > k - TLanes.Count)
            {
                if (p == k)
                {
                    break;
                }

                // One overlapping last step; the mask keeps its already-summed lanes out.
                p = k - TLanes.Count;
                mask = tailMask;
            }

            // Once per 64-byte line: every step at 512 bits, every second or fourth at 256 or 128.
            if (Sse.IsSupported && (TLanes.Count >= 16 || (p & 15) == 0))
            {
                nint ahead = prefetchRow + ((p + PrefetchDistance) * sizeof(float)) + (p + PrefetchDistance >= k ? pastEnd : 0);
                Prefetch(ahead, k);
            }

            TVector x = TLanes.And(TLanes.Load(ref a, (nuint)p), mask);
            ref float bp = ref Unsafe.Add(ref b0, p);
            s0 = TLanes.MultiplyAdd(x, TLanes.Load(ref bp, 0), s0);
            s1 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, b1), 0), s1);
            s2 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, b2), 0), s2);
            s3 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, b3), 0), s3);
            s4 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, b4), 0), s4);
            s5 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, b5), 0), s5);
            s6 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, b6), 0), s6);
            s7 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, b7), 0), s7);
            p += TLanes.Count;
        }

        Vector256<float> sums = TLanes.SumEach(s0, s1, s2, s3, s4, s5, s6, s7);
        GemmDot.Store(ref c, Math.Min(RowGroup, n - j), accumulate, sums);
    }

    /// <summary>One line of each of the eight rows, <paramref name="k"/> floats apart, from <paramref name="address"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(nint address, int k)
    {
        nint stride = (nint)k * sizeof(float);
        for (int r = 0; r < RowGroup; r++)
        {
            Sse.Prefetch0((void*)(address + (r * stride)));
        }
    }

    /// <summary>Offset of row j + r of B from row j, clamped to the last row so loads stay inside B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static nint RowOffset(int n, int k, int j, int r) => (nint)(Math.Min(j + r, n - 1) - j) * k;
}
