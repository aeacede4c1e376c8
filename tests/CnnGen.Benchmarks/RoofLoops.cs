using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CnnGen.Runtime;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Benchmarks;

/// <summary>
/// The multiply-add roof of one core at the width the kernels run (<see cref="VectorLanes.Bits"/>), through the
/// kernels' own <see cref="ILanes{TVector}.MultiplyAdd"/>: fused where the machine has FMA, else a multiply and an
/// add, exactly as the kernels do it. 12 independent chains, enough to hide the latency of either (4 cycles for an
/// FMA, 3 + 3 for a multiply then an add, on 2 pipes each); nothing else in the loop.
/// </summary>
/// <remarks>
/// Every width does the same FLOP per call (<see cref="FlopsPerCall"/>): narrower vectors run proportionally more
/// iterations, so the benchmark's Flops attribute is one constant. <c>a = a · 0.9999 + 0.0001</c> stays near 1.
/// </remarks>
internal static class RoofLoops
{
    public const double FlopsPerCall = 2.0 * 16 * 12 * Iterations512;

    /// <summary>Iterations at 512 bits: ≈ 3.5 ms at ≈ 115 GFLOP/s.</summary>
    private const long Iterations512 = 1 << 20;

    public static float Run() => VectorLanes.Bits switch
    {
        512 => Chains<Lanes512, Vector512<float>>(Iterations512),
        256 => Chains<Lanes256, Vector256<float>>(2 * Iterations512),
        _ => Chains<Lanes128, Vector128<float>>(4 * Iterations512),
    };

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains<TLanes, TVector>(long iterations)
        where TLanes : ILanes<TVector>
        where TVector : struct
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
            a8 = TLanes.MultiplyAdd(a8, multiplier, addend);
            a9 = TLanes.MultiplyAdd(a9, multiplier, addend);
            a10 = TLanes.MultiplyAdd(a10, multiplier, addend);
            a11 = TLanes.MultiplyAdd(a11, multiplier, addend);
        }

        return Vector256.Sum(TLanes.SumEach(
            TLanes.Add(a0, a8), TLanes.Add(a1, a9), TLanes.Add(a2, a10), TLanes.Add(a3, a11), a4, a5, a6, a7));
    }
}
