using EmbeddedInference.Harness;
using Microsoft.ML.OnnxRuntime;

// The EmbeddedInference program with ONNX Runtime in place of CnnGen, for comparison: the same
// harness, images and weights (fashion-lenet.onnx, exported by EmbeddedInference.Trainer from the
// same parameters as fashion-lenet.safetensors).
return Classification.Run(args, static () => new OnnxClassifier(Path.Combine(AppContext.BaseDirectory, "fashion-lenet.onnx")));

/// <summary>
/// One ONNX Runtime session on the CPU execution provider, one thread, all graph optimisations; input
/// and output bound once (<c>IoBinding</c>) to managed arrays, so a prediction copies the image in,
/// runs the graph and reads the logits without allocating tensors.
/// </summary>
internal sealed class OnnxClassifier : IClassifier
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly float[] _input = new float[FashionMnistImages.ImageLength];
    private readonly float[] _logits = new float[10];
    private readonly OrtValue _inputValue;
    private readonly OrtValue _outputValue;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();

    public OnnxClassifier(string modelPath)
    {
        _options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(modelPath, _options);
        _inputValue = OrtValue.CreateTensorValueFromMemory(_input, [1, 1, 28, 28]);
        _outputValue = OrtValue.CreateTensorValueFromMemory(_logits, [1, 10]);
        _binding = _session.CreateIoBinding();
        _binding.BindInput("input", _inputValue);
        _binding.BindOutput("logits", _outputValue);
        Description = $"ONNX Runtime {OrtEnv.Instance().GetVersionString()} CPU, {Path.GetFileName(modelPath)}";
    }

    public string Description { get; }

    public int Classify(ReadOnlySpan<float> image)
    {
        image.CopyTo(_input);
        _session.RunWithBinding(_runOptions, _binding);
        return Classification.ArgMax(_logits);
    }

    public void Dispose()
    {
        _binding.Dispose();
        _outputValue.Dispose();
        _inputValue.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        _options.Dispose();
    }
}
