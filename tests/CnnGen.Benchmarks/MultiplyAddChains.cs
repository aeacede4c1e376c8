using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Benchmarks;

/// <summary>How many independent multiply-add chains a roof loop keeps in flight: 8, 10 or 12.</summary>
internal interface IChainCount
{
    static abstract int Count { get; }
}

internal readonly struct EightChains : IChainCount
{
    public static int Count => 8;
}

internal readonly struct TenChains : IChainCount
{
    public static int Count => 10;
}

internal readonly struct TwelveChains : IChainCount
{
    public static int Count => 12;
}

/// <summary>
/// The one roof loop behind <see cref="FmaLoops"/> and <see cref="RoofLoops"/>: <c>TChains.Count</c> independent
/// accumulators, each updated once per iteration by the kernels' own <see cref="ILanes{TVector}.MultiplyAdd"/>
/// (fused where the machine has FMA, else a multiply and an add), nothing else in the loop — no loads, no stores.
/// </summary>
/// <remarks>
/// With 8 chains an FMA's latency (4 cycles on 2 pipes) is just hidden; 10 and 12 show what headroom is left.
/// The chain count is a struct type argument, so the JIT specializes each instantiation and the unused
/// accumulators and their branches vanish. <c>a = a · 0.9999 + 0.0001</c> stays near its fixed point 1, never
/// denormal nor infinite. Compiled fully optimized at once (<c>AggressiveOptimization</c>): a tier-0 body would
/// keep the accumulators in memory. The sum is returned so the JIT cannot drop the loop.
/// </remarks>
internal static class MultiplyAddChains
{
    /// <summary>FLOP of one call: 2 per lane per chain per iteration.</summary>
    public static double FlopsPerCall<TLanes, TVector, TChains>(long iterations)
        where TLanes : ILanes<TVector>
        where TVector : struct
        where TChains : IChainCount =>
        2.0 * TLanes.Count * TChains.Count * iterations;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float Run<TLanes, TVector, TChains>(long iterations)
        where TLanes : ILanes<TVector>
        where TVector : struct
        where TChains : IChainCount
    {
        TVector multiplier = TLanes.Broadcast(0.9999f), addend = TLanes.Broadcast(0.0001f);
        TVector a0 = TLanes.Broadcast(1f), a1 = TLanes.Broadcast(2f), a2 = TLanes.Broadcast(3f), a3 = TLanes.Broadcast(4f);
        TVector a4 = TLanes.Broadcast(5f), a5 = TLanes.Broadcast(6f), a6 = TLanes.Broadcast(7f), a7 = TLanes.Broadcast(8f);
        TVector a8 = TLanes.Broadcast(9f), a9 = TLanes.Broadcast(10f), a10 = TLanes.Broadcast(11f), a11 = TLanes.Broadcast(12f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = TLanes.MultiplyAdd(a0, multiplier, addend);
            a1 = TLanes.MultiplyAdd(a1, multiplier, addend);
            a2 = TLanes.MultiplyAdd(a2, multiplier, addend);
            a3 = TLanes.MultiplyAdd(a3, multiplier, addend);
            a4 = TLanes.MultiplyAdd(a4, multiplier, addend);
            a5 = TLanes.MultiplyAdd(a5, multiplier, addend);
            a6 = TLanes.MultiplyAdd(a6, multiplier, addend);
            a7 = TLanes.MultiplyAdd(a7, multiplier, addend);
            if (TChains.Count >= 10)
            {
                a8 = TLanes.MultiplyAdd(a8, multiplier, addend);
                a9 = TLanes.MultiplyAdd(a9, multiplier, addend);
            }

            if (TChains.Count >= 12)
            {
                a10 = TLanes.MultiplyAdd(a10, multiplier, addend);
                a11 = TLanes.MultiplyAdd(a11, multiplier, addend);
            }
        }

        return Vector256.Sum(TLanes.SumEach(
            TLanes.Add(a0, a8), TLanes.Add(a1, a9), TLanes.Add(a2, a10), TLanes.Add(a3, a11), a4, a5, a6, a7));
    }
}
