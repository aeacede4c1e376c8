using BenchmarkDotNet.Attributes;
using CnnGen.Runtime;
using CnnGen.Runtime.Training;

namespace CnnGen.Benchmarks;

/// <summary>
/// ResNet-8 inference (issue 15), CnnGen vs ONNX Runtime vs libtorch, same weights, running statistics and
/// inputs: batch 1 (latency) and 64 (throughput). CnnGen runs twice: as trained (<c>Forward</c> /
/// <c>ForwardBatch</c> on a network that could keep training) and after <c>Freeze()</c> (the deployed form, as
/// ORT's session is). The weights come from a few training steps (<see cref="BenchmarkNetworks.TrainBriefly"/>),
/// so BatchNorm's running statistics are not the initial 0 / 1. Ratios are against the plain CnnGen network.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchmarkConfig))]
public class ResNetInferenceBenchmarks
{
    private INetwork _network = null!;
    private INetwork _frozen = null!;
    private OnnxInference _onnx = null!;
    private TorchInference _torch = null!;
    private float[] _input = null!;
    private float[] _output = null!;
    private float[] _frozenOutput = null!;

    [Params(GraphNet.ResNet8)]
    public GraphNet Net { get; set; }

    [Params(1, BenchmarkData.BatchSize)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Apply(Threads);
        BenchmarkNetwork description = BenchmarkNetworks.Get(Net);
        _network = description.CreateCnnGen();
        _network.IsTraining = false;
        _frozen = description.Create();
        BenchmarkNetworks.CopyState(_network, _frozen);
        _input = BenchmarkData.Images(Batch, description.InputLength);
        _output = new float[Batch * description.OutputLength];
        _frozenOutput = new float[Batch * description.OutputLength];
        _onnx = new OnnxInference(description, _network, Batch, Threads, _input);
        _torch = new TorchInference(description, _network, Batch, _input);
        description.Freeze!(_frozen);

        CnnGenForward();
        CnnGenFrozenForward();
        _onnx.Run();
        _torch.Run();
        string what = $"{description.Name}, batch {Batch}";
        Agreement.Check(what, "ONNX Runtime", _output, _onnx.Output);
        Agreement.Check(what, "libtorch", _output, _torch.Output);
        Agreement.Check(what, "CnnGen frozen", _output, _frozenOutput);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _onnx.Dispose();
        _torch.Dispose();
    }

    /// <summary>Batch 1 through the contract's one-sample <c>Forward</c>; batch 64 through <c>ForwardBatch</c>.</summary>
    [Benchmark(Baseline = true, Description = "CnnGen")]
    public void CnnGenForward() => BenchmarkNetworks.Forward(_network, _input, _output, Batch);

    /// <summary>The same after <c>Freeze()</c>: convolution weights packed once, each BatchNorm folded into the convolution before it.</summary>
    [Benchmark(Description = "CnnGen frozen")]
    public void CnnGenFrozenForward() => BenchmarkNetworks.Forward(_frozen, _input, _frozenOutput, Batch);

    [Benchmark(Description = "ONNX Runtime")]
    public void OnnxRuntimeForward() => _onnx.Run();

    [Benchmark(Description = "libtorch")]
    public void LibTorchForward() => _torch.Run();
}

/// <summary>
/// One ResNet-8 training step on a batch of 64 — forward in training mode (BatchNorm on batch statistics,
/// updating the running ones), softmax cross-entropy, backward, Adam (lr 1e-3) — CnnGen vs libtorch from the
/// same weights and state. Each step updates the weights, as in training.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchmarkConfig))]
public class ResNetTrainingBenchmarks
{
    private INetwork _network = null!;
    private Adam _adam = null!;
    private TorchTrainingStep _torch = null!;
    private float[] _input = null!;
    private int[] _labels = null!;
    private float[] _logits = null!;

    [Params(GraphNet.ResNet8)]
    public GraphNet Net { get; set; }

    [Params(BenchmarkData.BatchSize)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Apply(Threads);
        BenchmarkNetwork description = BenchmarkNetworks.Get(Net);
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
