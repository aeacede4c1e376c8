using BenchmarkDotNet.Attributes;
using CnnGen.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace CnnGen.Benchmarks;

/// <summary>
/// A server's shape: <see cref="Callers"/> threads share one model and each classifies one image per call,
/// CnnGen's <c>Forward</c> on one frozen instance against ONNX Runtime's <c>InferenceSession.Run</c> on one
/// session (each caller with its own bound input and output), both engines at one intra-op thread. A round is
/// <see cref="CallsPerRound"/> calls split evenly over the callers, so the time reported is per call and
/// img/s is the throughput of all callers together.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchmarkConfig))]
public class ConcurrentInferenceBenchmarks
{
    private const int CallsPerRound = 240;

    private INetwork _network = null!;
    private SessionOptions _options = null!;
    private InferenceSession _session = null!;
    private (OrtValue Input, OrtValue Output, OrtIoBinding Binding)[] _bindings = null!;
    private RunOptions _runOptions = null!;
    private float[][] _inputs = null!;
    private float[][] _outputs = null!;
    private CallerThreads _cnnGenCallers = null!;
    private CallerThreads _onnxCallers = null!;

    [Params(Net.LeNet5, Net.SeedNet)]
    public Net Net { get; set; }

    [Params(1, 2, 4, 8)]
    public int Callers { get; set; }

    /// <summary>One image per call (for the img/s column).</summary>
    [Params(1)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Apply(1);
        BenchmarkNetwork description = BenchmarkNetworks.Get(Net);
        _network = description.CreateCnnGen();
        _inputs = Enumerable.Range(0, Callers).Select(caller => BenchmarkData.Images(1, description.InputLength, seed: 1 + caller)).ToArray();
        _outputs = Enumerable.Range(0, Callers).Select(_ => new float[description.OutputLength]).ToArray();
        _options = OnnxInference.Options(threads: 1);
        _session = new InferenceSession(OnnxModels.Build(description, _network, batchSize: 1), _options);
        float[][] onnxOutputs = Enumerable.Range(0, Callers).Select(_ => new float[description.OutputLength]).ToArray();
        _bindings = Enumerable.Range(0, Callers).Select(caller => OnnxInference.Bind(_session, description, 1, _inputs[caller], onnxOutputs[caller])).ToArray();
        _runOptions = new RunOptions();
        description.Freeze?.Invoke(_network);

        int share = CallsPerRound / Callers;
        _cnnGenCallers = new CallerThreads(Callers, caller =>
        {
            for (int call = 0; call < share; call++)
            {
                _network.Forward(_inputs[caller], _outputs[caller]);
            }
        });
        _onnxCallers = new CallerThreads(Callers, caller =>
        {
            for (int call = 0; call < share; call++)
            {
                _session.RunWithBinding(_runOptions, _bindings[caller].Binding);
            }
        });

        _cnnGenCallers.Run();
        _onnxCallers.Run();
        for (int caller = 0; caller < Callers; caller++)
        {
            Agreement.Check($"{description.Name}, caller {caller} of {Callers}", "ONNX Runtime", _outputs[caller], onnxOutputs[caller]);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cnnGenCallers.Dispose();
        _onnxCallers.Dispose();
        foreach ((OrtValue input, OrtValue output, OrtIoBinding binding) in _bindings)
        {
            binding.Dispose();
            output.Dispose();
            input.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
        _options.Dispose();
    }

    [Benchmark(Baseline = true, Description = "CnnGen", OperationsPerInvoke = CallsPerRound)]
    public void CnnGenShared() => _cnnGenCallers.Run();

    [Benchmark(Description = "ONNX Runtime", OperationsPerInvoke = CallsPerRound)]
    public void OnnxRuntimeShared() => _onnxCallers.Run();
}
