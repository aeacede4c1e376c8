using System.Runtime.Intrinsics;
using CnnGen.Runtime;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Benchmarks;

/// <summary>
/// The multiply-add roof of one core at the width the kernels run (<see cref="VectorLanes.Bits"/>), through the
/// kernels' own <see cref="ILanes{TVector}.MultiplyAdd"/>: fused where the machine has FMA, else a multiply and an
/// add, exactly as the kernels do it. 12 independent chains of <see cref="MultiplyAddChains"/>, enough to hide the
/// latency of either (4 cycles for an FMA, 3 + 3 for a multiply then an add, on 2 pipes each).
/// </summary>
/// <remarks>
/// Every width does the same FLOP per call (<see cref="FlopsPerCall"/>): narrower vectors run proportionally more
/// iterations, so the benchmark's Flops attribute is one constant.
/// </remarks>
internal static class RoofLoops
{
    public const double FlopsPerCall = 2.0 * 16 * 12 * Iterations512;

    /// <summary>Iterations at 512 bits: ≈ 1.8 ms at this core's ≈ 230 GFLOP/s.</summary>
    private const long Iterations512 = 1 << 20;

    public static float Run() => VectorLanes.Bits switch
    {
        512 => MultiplyAddChains.Run<Lanes512, Vector512<float>, TwelveChains>(Iterations512),
        256 => MultiplyAddChains.Run<Lanes256, Vector256<float>, TwelveChains>(2 * Iterations512),
        _ => MultiplyAddChains.Run<Lanes128, Vector128<float>, TwelveChains>(4 * Iterations512),
    };
}
