using System.Diagnostics;
using System.Runtime.Intrinsics;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Benchmarks;

/// <summary>
/// The FP32 FMA roof of one core, at 512 and 256 bits with 8, 10 and 12 independent accumulators
/// (<see cref="MultiplyAddChains"/>): k chains keep k FMAs in flight, and an FMA's latency (4 cycles, on 2 pipes)
/// is hidden once k ≥ latency × pipes = 8.
/// </summary>
internal static class FmaLoops
{
    /// <summary>Iterations per call: ≈ 1.8 ms of work at this core's ≈ 230 GFLOP/s for 12 accumulators of 512 bits.</summary>
    public const long Iterations = 1 << 20;

    private static readonly Lazy<double> PeakGflopsPerCore = new(ProbePeakGflopsPerCore);

    /// <summary>
    /// This core's FP32 FMA peak in GFLOP/s, measured once per process: the best of 40 timed calls
    /// of each loop below (the best, because the machine is shared and noise only ever slows a
    /// loop down).
    /// </summary>
    public static double MeasuredPeakGflopsPerCore => PeakGflopsPerCore.Value;

    public static float Vector512x8(long iterations) => MultiplyAddChains.Run<Lanes512, Vector512<float>, EightChains>(iterations);

    public static float Vector512x10(long iterations) => MultiplyAddChains.Run<Lanes512, Vector512<float>, TenChains>(iterations);

    public static float Vector512x12(long iterations) => MultiplyAddChains.Run<Lanes512, Vector512<float>, TwelveChains>(iterations);

    public static float Vector256x8(long iterations) => MultiplyAddChains.Run<Lanes256, Vector256<float>, EightChains>(iterations);

    public static float Vector256x10(long iterations) => MultiplyAddChains.Run<Lanes256, Vector256<float>, TenChains>(iterations);

    public static float Vector256x12(long iterations) => MultiplyAddChains.Run<Lanes256, Vector256<float>, TwelveChains>(iterations);

    private static double ProbePeakGflopsPerCore()
    {
        var loops = new List<(Func<long, float> Loop, double Flops)>
        {
            (Vector256x8, MultiplyAddChains.FlopsPerCall<Lanes256, Vector256<float>, EightChains>(Iterations)),
            (Vector256x10, MultiplyAddChains.FlopsPerCall<Lanes256, Vector256<float>, TenChains>(Iterations)),
            (Vector256x12, MultiplyAddChains.FlopsPerCall<Lanes256, Vector256<float>, TwelveChains>(Iterations)),
        };
        if (Vector512.IsHardwareAccelerated)
        {
            loops.AddRange([
                (Vector512x8, MultiplyAddChains.FlopsPerCall<Lanes512, Vector512<float>, EightChains>(Iterations)),
                (Vector512x10, MultiplyAddChains.FlopsPerCall<Lanes512, Vector512<float>, TenChains>(Iterations)),
                (Vector512x12, MultiplyAddChains.FlopsPerCall<Lanes512, Vector512<float>, TwelveChains>(Iterations)),
            ]);
        }

        double best = 0;
        foreach (var (loop, flops) in loops)
        {
            loop(Iterations / 16); // wakes the core up
            for (int round = 0; round < 40; round++)
            {
                long start = Stopwatch.GetTimestamp();
                loop(Iterations);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                best = Math.Max(best, flops / seconds / 1e9);
            }
        }

        return best;
    }
}
