using BenchmarkDotNet.Attributes;
using CnnGen.Runtime;

namespace CnnGen.Benchmarks;

/// <summary>
/// Inference, CnnGen vs ONNX Runtime vs libtorch, same weights and inputs: batch 1 is the latency
/// of the embedded case, batch 64 the throughput of a server. Ratios are against CnnGen.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchmarkConfig))]
public class InferenceBenchmarks
{
    private INetwork _network = null!;
    private OnnxInference _onnx = null!;
    private TorchInference _torch = null!;
    private float[] _input = null!;
    private float[] _output = null!;

    [Params(Net.LeNet5, Net.SeedNet)]
    public Net Net { get; set; }

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
        _input = BenchmarkData.Images(Batch, description.InputLength);
        _output = new float[Batch * description.OutputLength];
        _onnx = new OnnxInference(description, _network, Batch, Threads, _input);
        _torch = new TorchInference(description, _network, Batch, _input);
        description.Freeze?.Invoke(_network); // as ONNX Runtime's session, weights arranged once for inference

        CnnGenForward();
        _onnx.Run();
        _torch.Run();
        string what = $"{description.Name}, batch {Batch}";
        Agreement.Check(what, "ONNX Runtime", _output, _onnx.Output);
        Agreement.Check(what, "libtorch", _output, _torch.Output);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _onnx.Dispose();
        _torch.Dispose();
    }

    /// <summary>Batch 1 through the contract's one-sample <c>Forward</c>; batch 64 through <c>ForwardBatch</c>.</summary>
    [Benchmark(Baseline = true, Description = "CnnGen")]
    public void CnnGenForward()
    {
        if (Batch == 1)
        {
            _network.Forward(_input, _output);
        }
        else
        {
            _network.ForwardBatch(_input, _output, Batch);
        }
    }

    [Benchmark(Description = "ONNX Runtime")]
    public void OnnxRuntimeForward() => _onnx.Run();

    [Benchmark(Description = "libtorch")]
    public void LibTorchForward() => _torch.Run();
}
