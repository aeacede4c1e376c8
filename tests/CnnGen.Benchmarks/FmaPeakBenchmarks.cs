using BenchmarkDotNet.Attributes;

namespace CnnGen.Benchmarks;

/// <summary>
/// The FP32 FMA roof of this machine (<see cref="FmaLoops"/>), for <see cref="ConvolutionBenchmarks"/>
/// to be read against: Vector512 and Vector256, 8, 10 and 12 independent accumulators, on 1 core
/// and on 2 at once (the GFLOP/s column is the total; divide by Threads for per core).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchmarkConfig))]
public class FmaPeakBenchmarks
{
    [Params(1, 2)]
    public int Threads { get; set; }

    [Benchmark(Description = "Vector512, 8 accumulators")]
    [Flops(2.0 * 16 * 8 * FmaLoops.Iterations, PerThread = true)]
    public float Vector512x8() => Run(FmaLoops.Vector512x8);

    [Benchmark(Description = "Vector512, 10 accumulators")]
    [Flops(2.0 * 16 * 10 * FmaLoops.Iterations, PerThread = true)]
    public float Vector512x10() => Run(FmaLoops.Vector512x10);

    [Benchmark(Description = "Vector512, 12 accumulators")]
    [Flops(2.0 * 16 * 12 * FmaLoops.Iterations, PerThread = true)]
    public float Vector512x12() => Run(FmaLoops.Vector512x12);

    [Benchmark(Description = "Vector256, 8 accumulators")]
    [Flops(2.0 * 8 * 8 * FmaLoops.Iterations, PerThread = true)]
    public float Vector256x8() => Run(FmaLoops.Vector256x8);

    [Benchmark(Description = "Vector256, 10 accumulators")]
    [Flops(2.0 * 8 * 10 * FmaLoops.Iterations, PerThread = true)]
    public float Vector256x10() => Run(FmaLoops.Vector256x10);

    [Benchmark(Description = "Vector256, 12 accumulators")]
    [Flops(2.0 * 8 * 12 * FmaLoops.Iterations, PerThread = true)]
    public float Vector256x12() => Run(FmaLoops.Vector256x12);

    private float Run(Func<long, float> loop)
    {
        if (Threads == 1)
        {
            return loop(FmaLoops.Iterations);
        }

        var results = new float[Threads];
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread => results[thread] = loop(FmaLoops.Iterations));
        return results.Sum();
    }
}
