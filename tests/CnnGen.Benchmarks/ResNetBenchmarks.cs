using BenchmarkDotNet.Attributes;

namespace CnnGen.Benchmarks;

/// <summary>
/// ResNet-8 inference (issue 15, <see cref="InferenceComparison"/>). The weights come from a few training steps
/// (<see cref="BenchmarkNetworks.TrainBriefly"/>), so BatchNorm's running statistics are not the initial 0 / 1.
/// </summary>
public class ResNetInferenceBenchmarks : InferenceComparison
{
    [Params(GraphNet.ResNet8)]
    public GraphNet Net { get; set; }

    private protected override BenchmarkNetwork Description => BenchmarkNetworks.Get(Net);
}

/// <summary>One ResNet-8 training step on a batch of 64 (<see cref="TrainingComparison"/>).</summary>
public class ResNetTrainingBenchmarks : TrainingComparison
{
    [Params(GraphNet.ResNet8)]
    public GraphNet Net { get; set; }

    private protected override BenchmarkNetwork Description => BenchmarkNetworks.Get(Net);
}
