using BenchmarkDotNet.Attributes;
using CnnGen.Runtime;

namespace CnnGen.Benchmarks;

/// <summary>
/// Inference of one network, CnnGen vs ONNX Runtime vs libtorch, same weights (and running statistics) and inputs:
/// batch 1 is the latency of the embedded case, batch 64 the throughput of a server. CnnGen runs twice: as created
/// (<c>Forward</c> / <c>ForwardBatch</c> on a network whose <c>Parameters</c> may still change, what a user who never
/// heard of <c>Freeze()</c> runs) and after <c>Freeze()</c> (weights arranged once, as ORT's session is). Ratios are
/// against the plain network. The derived class names the networks (its <c>Net</c> parameter).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchmarkConfig))]
public abstract class InferenceComparison
{
    private INetwork _network = null!;
    private INetwork _frozen = null!;
    private OnnxInference _onnx = null!;
    private TorchInference _torch = null!;
    private float[] _input = null!;
    private float[] _output = null!;
    private float[] _frozenOutput = null!;

    [Params(1, BenchmarkData.BatchSize)]
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

    /// <summary>
    /// The same after <c>Freeze()</c>: dense weights in panels for batch 1, convolution weights packed once, each
    /// BatchNorm folded into the convolution before it.
    /// </summary>
    [Benchmark(Description = "CnnGen frozen")]
    public void CnnGenFrozenForward() => BenchmarkNetworks.Forward(_frozen, _input, _frozenOutput, Batch);

    [Benchmark(Description = "ONNX Runtime")]
    public void OnnxRuntimeForward() => _onnx.Run();

    [Benchmark(Description = "libtorch")]
    public void LibTorchForward() => _torch.Run();
}
