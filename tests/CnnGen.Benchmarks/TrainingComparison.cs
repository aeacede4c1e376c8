using BenchmarkDotNet.Attributes;
using CnnGen.Runtime;
using CnnGen.Runtime.Training;

namespace CnnGen.Benchmarks;

/// <summary>
/// One training step of one network on a batch of 64 — forward in training mode (dropout active, BatchNorm on batch
/// statistics updating the running ones, activations cached), softmax cross-entropy, backward, Adam (lr 1e-3) —
/// CnnGen vs libtorch from the same starting weights and state. Each step updates the weights, as in training. The
/// derived class names the networks (its <c>Net</c> parameter).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchmarkConfig))]
public abstract class TrainingComparison
{
    private INetwork _network = null!;
    private Adam _adam = null!;
    private TorchTrainingStep _torch = null!;
    private float[] _input = null!;
    private int[] _labels = null!;
    private float[] _logits = null!;

    [Params(BenchmarkData.BatchSize)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>The network of this case.</summary>
    private protected abstract BenchmarkNetwork Description { get; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Apply(Threads);
        BenchmarkNetwork description = Description;
        _network = description.CreateCnnGen();
        _input = BenchmarkData.Images(Batch, description.InputLength);
        _labels = BenchmarkData.Labels(Batch, description.OutputLength);
        _logits = new float[Batch * description.OutputLength];
        _torch = new TorchTrainingStep(description, _network, Batch, _input, _labels);
        _network.IsTraining = true;
        _adam = new Adam(_network.ParameterCount, learningRate: 1e-3f);
    }

    [GlobalCleanup]
    public void Cleanup() => _torch.Dispose();

    /// <summary>The <see cref="INetwork"/> protocol; the loss gradient overwrites the logits in place.</summary>
    [Benchmark(Baseline = true, Description = "CnnGen")]
    public float CnnGenStep()
    {
        _network.ForwardBatch(_input, _logits, Batch);
        float loss = SoftmaxCrossEntropy.Instance.Backward(_logits, _labels, _logits);
        _network.ZeroGradients();
        _network.BackwardBatch(_logits, default, Batch);
        _adam.Step(_network.Parameters, _network.Gradients);
        return loss;
    }

    [Benchmark(Description = "libtorch")]
    public float LibTorchStep() => _torch.Run();
}
