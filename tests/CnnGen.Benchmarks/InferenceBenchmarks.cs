using BenchmarkDotNet.Attributes;

namespace CnnGen.Benchmarks;

/// <summary>The sequential networks' inference (<see cref="InferenceComparison"/>): LeNet-5 and the seed net.</summary>
public class InferenceBenchmarks : InferenceComparison
{
    [Params(Net.LeNet5, Net.SeedNet)]
    public Net Net { get; set; }

    private protected override BenchmarkNetwork Description => BenchmarkNetworks.Get(Net);
}
