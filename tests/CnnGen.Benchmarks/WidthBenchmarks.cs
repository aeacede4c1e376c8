using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CnnGen.Runtime;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Benchmarks;

/// <summary>
/// The same cases at every vector width the kernels run (issue 17): one job per width (<see cref="WidthConfig"/>,
/// the JIT held to it by environment variables), each case beside that width's multiply-add roof (<see cref="Roof"/>,
/// measured in the same job the same way) and ONNX Runtime, which is native and keeps its own width, as the
/// reference in the same process. 1 thread.
/// </summary>
/// <remarks>
/// FLOP counted: multiply-adds of the convolutions and dense layers, 2 each (bias, ReLU and pooling not counted).
/// LeNet-5: 2·(6·25·28² + 16·6·25·10² + 400·120 + 120·84 + 84·10) = 833,040 per image. The seed net:
/// 2·(32·25·28² + 64·32·25·14² + 3136·1000 + 1000·10) = 27,616,800 per image. Conv2 alone:
/// <see cref="ConvolutionBenchmarks.ForwardFlops"/>.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(WidthConfig))]
public class WidthBenchmarks
{
    public const double LeNet5Flops = 2.0 * ((6 * 25 * 28 * 28) + (16 * 6 * 25 * 10 * 10) + (400 * 120) + (120 * 84) + (84 * 10));
    public const double SeedNetFlops = 2.0 * ((32 * 25 * 28 * 28) + (64 * 32 * 25 * 14 * 14) + (3136 * 1000) + (1000 * 10));

    private const int Batch = BenchmarkData.BatchSize;

    private Case _case = null!;

    [GlobalSetup(Target = nameof(Roof))]
    public void SetupRoof() => WidthConfig.CheckWidth();

    [GlobalSetup(Targets = [nameof(Conv2), nameof(Conv2Onnx)])]
    public void SetupConv2() => _case = new Case(BenchmarkNetworks.SeedConv2, Batch, freeze: false);

    [GlobalSetup(Targets = [nameof(SeedNet64), nameof(SeedNet64Onnx)])]
    public void SetupSeedNet64() => _case = new Case(BenchmarkNetworks.SeedNet, Batch, freeze: true);

    [GlobalSetup(Targets = [nameof(SeedNet1), nameof(SeedNet1Onnx)])]
    public void SetupSeedNet1() => _case = new Case(BenchmarkNetworks.SeedNet, 1, freeze: true);

    [GlobalSetup(Targets = [nameof(LeNet64), nameof(LeNet64Onnx)])]
    public void SetupLeNet64() => _case = new Case(BenchmarkNetworks.LeNet5, Batch, freeze: true);

    [GlobalSetup(Targets = [nameof(LeNet1), nameof(LeNet1Onnx)])]
    public void SetupLeNet1() => _case = new Case(BenchmarkNetworks.LeNet5, 1, freeze: true);

    [GlobalCleanup(Targets = [nameof(Conv2), nameof(Conv2Onnx), nameof(SeedNet64), nameof(SeedNet64Onnx), nameof(SeedNet1), nameof(SeedNet1Onnx), nameof(LeNet64), nameof(LeNet64Onnx), nameof(LeNet1), nameof(LeNet1Onnx)])]
    public void Cleanup() => _case.Dispose();

    /// <summary>This width's roof: <see cref="RoofLoops"/> through the kernels' own multiply-add.</summary>
    [Benchmark(Description = "roof")]
    [Flops(RoofLoops.FlopsPerCall)]
    public float Roof() => RoofLoops.Run();

    [Benchmark(Description = "conv2 alone, batch 64: CnnGen")]
    [Flops(ConvolutionBenchmarks.ForwardFlops)]
    public void Conv2() => _case.CnnGen();

    [Benchmark(Description = "conv2 alone, batch 64: ORT")]
    [Flops(ConvolutionBenchmarks.ForwardFlops)]
    public void Conv2Onnx() => _case.Onnx.Run();

    [Benchmark(Description = "seed net, batch 64: CnnGen")]
    [Flops(Batch * SeedNetFlops)]
    public void SeedNet64() => _case.CnnGen();

    [Benchmark(Description = "seed net, batch 64: ORT")]
    [Flops(Batch * SeedNetFlops)]
    public void SeedNet64Onnx() => _case.Onnx.Run();

    [Benchmark(Description = "seed net, batch 1: CnnGen")]
    [Flops(SeedNetFlops)]
    public void SeedNet1() => _case.CnnGen();

    [Benchmark(Description = "seed net, batch 1: ORT")]
    [Flops(SeedNetFlops)]
    public void SeedNet1Onnx() => _case.Onnx.Run();

    [Benchmark(Description = "LeNet-5, batch 64: CnnGen")]
    [Flops(Batch * LeNet5Flops)]
    public void LeNet64() => _case.CnnGen();

    [Benchmark(Description = "LeNet-5, batch 64: ORT")]
    [Flops(Batch * LeNet5Flops)]
    public void LeNet64Onnx() => _case.Onnx.Run();

    [Benchmark(Description = "LeNet-5, batch 1: CnnGen")]
    [Flops(LeNet5Flops)]
    public void LeNet1() => _case.CnnGen();

    [Benchmark(Description = "LeNet-5, batch 1: ORT")]
    [Flops(LeNet5Flops)]
    public void LeNet1Onnx() => _case.Onnx.Run();

    /// <summary>One network at one batch size, as <see cref="InferenceBenchmarks"/> and <see cref="ConvolutionBenchmarks"/> run it, and its ORT session.</summary>
    private sealed class Case : IDisposable
    {
        private readonly INetwork _network;
        private readonly float[] _input;
        private readonly float[] _output;
        private readonly int _batch;

        public Case(BenchmarkNetwork description, int batch, bool freeze)
        {
            WidthConfig.CheckWidth();
            BenchmarkThreads.Apply(1);
            _batch = batch;
            _network = description.CreateCnnGen();
            _network.IsTraining = false;
            _input = BenchmarkData.Images(batch, description.InputLength);
            _output = new float[batch * description.OutputLength];
            Onnx = new OnnxInference(description, _network, batch, threads: 1, _input);
            if (freeze)
            {
                description.Freeze?.Invoke(_network);
            }

            CnnGen();
            Onnx.Run();
            Agreement.Check($"{description.Name}, batch {batch}, {VectorLanes.Description}", "ONNX Runtime", _output, Onnx.Output);
        }

        public OnnxInference Onnx { get; }

        /// <summary>Batch 1 through the one-sample <c>Forward</c>, larger batches through <c>ForwardBatch</c>.</summary>
        public void CnnGen()
        {
            if (_batch == 1)
            {
                _network.Forward(_input, _output);
            }
            else
            {
                _network.ForwardBatch(_input, _output, _batch);
            }
        }

        public void Dispose() => Onnx.Dispose();
    }
}
