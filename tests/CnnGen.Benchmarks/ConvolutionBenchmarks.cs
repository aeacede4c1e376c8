using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CnnGen.Runtime;

namespace CnnGen.Benchmarks;

/// <summary>
/// The seed network's second convolution alone — 32→64 channels, 5×5, padding 2, 14×14, batch 64
/// — as its own network <see cref="SeedConv2"/>: the layer where the seed net spends its FLOPs,
/// measured against the FMA roof (<see cref="FmaPeakBenchmarks"/>).
/// </summary>
/// <remarks>
/// Forward: 2 · N · Cout · Cin · k² · H · W = 2·64·64·32·25·196 = 1,284,505,600 FLOP (bias and
/// padding not counted). Forward + backward: three such products (output, weight gradient, input
/// gradient).
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(BenchmarkConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class ConvolutionBenchmarks
{
    public const double ForwardFlops = 2.0 * BenchmarkData.BatchSize * 64 * 32 * 5 * 5 * 14 * 14;
    public const double ForwardBackwardFlops = 3 * ForwardFlops;

    private const string Forward = "Forward";
    private const string ForwardBackward = "Forward+backward";

    private INetwork _inference = null!;
    private INetwork _training = null!;
    private OnnxInference _onnx = null!;
    private TorchInference _torch = null!;
    private TorchForwardBackward _torchTraining = null!;
    private float[] _input = null!;
    private float[] _output = null!;
    private float[] _outputGradient = null!;
    private float[] _inputGradient = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Apply(Threads);
        BenchmarkNetwork description = BenchmarkNetworks.SeedConv2;
        int batch = BenchmarkData.BatchSize;
        _inference = description.CreateCnnGen();
        _training = description.CreateCnnGen();
        _training.IsTraining = true;
        _input = BenchmarkData.Uniform(batch * description.InputLength, 0f, 1f, seed: 3); // post-ReLU-pool activations are ≥ 0
        _output = new float[batch * description.OutputLength];
        _outputGradient = BenchmarkData.Uniform(batch * description.OutputLength, -1e-3f, 1e-3f, seed: 4);
        _inputGradient = new float[batch * description.InputLength];
        _onnx = new OnnxInference(description, _inference, batch, Threads, _input);
        _torch = new TorchInference(description, _inference, batch, _input);
        _torchTraining = new TorchForwardBackward(description, _training, batch, _input, _outputGradient);

        CnnGenForward();
        _onnx.Run();
        _torch.Run();
        Agreement.Check("seed conv2, batch 64", "ONNX Runtime", _output, _onnx.Output);
        Agreement.Check("seed conv2, batch 64", "libtorch", _output, _torch.Output);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _onnx.Dispose();
        _torch.Dispose();
        _torchTraining.Dispose();
    }

    [Benchmark(Baseline = true, Description = "CnnGen")]
    [BenchmarkCategory(Forward)]
    [Flops(ForwardFlops)]
    public void CnnGenForward() => _inference.ForwardBatch(_input, _output, BenchmarkData.BatchSize);

    [Benchmark(Description = "ONNX Runtime")]
    [BenchmarkCategory(Forward)]
    [Flops(ForwardFlops)]
    public void OnnxRuntimeForward() => _onnx.Run();

    [Benchmark(Description = "libtorch")]
    [BenchmarkCategory(Forward)]
    [Flops(ForwardFlops)]
    public void LibTorchForward() => _torch.Run();

    /// <summary>Training-mode forward, then backward with the input gradient (as for a layer that is not the first).</summary>
    [Benchmark(Baseline = true, Description = "CnnGen")]
    [BenchmarkCategory(ForwardBackward)]
    [Flops(ForwardBackwardFlops)]
    public void CnnGenForwardBackward()
    {
        _training.ForwardBatch(_input, _output, BenchmarkData.BatchSize);
        _training.ZeroGradients();
        _training.BackwardBatch(_outputGradient, _inputGradient, BenchmarkData.BatchSize);
    }

    [Benchmark(Description = "libtorch")]
    [BenchmarkCategory(ForwardBackward)]
    [Flops(ForwardBackwardFlops)]
    public void LibTorchForwardBackward() => _torchTraining.Run();
}
