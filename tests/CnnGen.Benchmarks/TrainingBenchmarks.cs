using BenchmarkDotNet.Attributes;

namespace CnnGen.Benchmarks;

/// <summary>The sequential networks' training step (<see cref="TrainingComparison"/>): LeNet-5 and the seed net.</summary>
public class TrainingBenchmarks : TrainingComparison
{
    [Params(Net.LeNet5, Net.SeedNet)]
    public Net Net { get; set; }

    private protected override BenchmarkNetwork Description => BenchmarkNetworks.Get(Net);
}
