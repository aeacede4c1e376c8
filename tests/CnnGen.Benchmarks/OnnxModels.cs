using Microsoft.ML.OnnxRuntime;

namespace CnnGen.Benchmarks;

/// <summary>Builds the ONNX graph of a <see cref="BenchmarkNetwork"/> from CnnGen's own parameters.</summary>
internal static class OnnxModels
{
    public const string InputName = "input";
    public const string OutputName = "output";

    /// <summary>
    /// Conv / Relu / MaxPool / Flatten / Gemm nodes with a static batch dimension (ORT plans memory
    /// and picks kernels for the exact shape, as for a deployed model); dropout is left out
    /// (inference). <paramref name="parameters"/> is CnnGen's buffer: PyTorch order and layout,
    /// which is ONNX's (Conv W [M, C, kH, kW]; Gemm with transB = 1 takes B as [out, in]).
    /// </summary>
    public static byte[] Build(BenchmarkNetwork network, ReadOnlySpan<float> parameters, int batchSize)
    {
        var writer = new OnnxWriter();
        writer.AddInput(InputName, batchSize, network.Channels, network.Height, network.Width);
        string current = InputName;
        int offset = 0;
        for (int index = 0; index < network.Layers.Length; index++)
        {
            LayerSpec layer = network.Layers[index];
            bool isLast = index == network.Layers.Length - 1;
            string output = isLast ? OutputName : $"t{index}";
            switch (layer)
            {
                case LayerSpec.Conv conv:
                    string convWeight = AddInitializer(writer, $"l{index}.weight", parameters, ref offset, conv.OutChannels, conv.InChannels, conv.Kernel, conv.Kernel);
                    string convBias = AddInitializer(writer, $"l{index}.bias", parameters, ref offset, conv.OutChannels);
                    writer.AddNode(
                        "Conv",
                        [current, convWeight, convBias],
                        output,
                        OnnxAttribute.Ints("kernel_shape", conv.Kernel, conv.Kernel),
                        OnnxAttribute.Ints("pads", conv.Padding, conv.Padding, conv.Padding, conv.Padding),
                        OnnxAttribute.Ints("strides", 1, 1),
                        OnnxAttribute.Ints("dilations", 1, 1),
                        OnnxAttribute.Int("group", 1));
                    break;
                case LayerSpec.Relu:
                    writer.AddNode("Relu", [current], output);
                    break;
                case LayerSpec.MaxPool pool:
                    writer.AddNode(
                        "MaxPool",
                        [current],
                        output,
                        OnnxAttribute.Ints("kernel_shape", pool.Size, pool.Size),
                        OnnxAttribute.Ints("strides", pool.Size, pool.Size));
                    break;
                case LayerSpec.Flatten:
                    writer.AddNode("Flatten", [current], output, OnnxAttribute.Int("axis", 1));
                    break;
                case LayerSpec.Dropout:
                    if (isLast)
                    {
                        throw new NotSupportedException("A trailing dropout would leave the ONNX graph without an output node.");
                    }

                    continue; // the identity in inference: the next node reads `current`
                case LayerSpec.Dense dense:
                    string denseWeight = AddInitializer(writer, $"l{index}.weight", parameters, ref offset, dense.OutFeatures, dense.InFeatures);
                    string denseBias = AddInitializer(writer, $"l{index}.bias", parameters, ref offset, dense.OutFeatures);
                    writer.AddNode("Gemm", [current, denseWeight, denseBias], output, OnnxAttribute.Int("transB", 1));
                    break;
                default:
                    throw new NotSupportedException($"No ONNX mapping for {layer}.");
            }

            current = output;
        }

        if (offset != parameters.Length)
        {
            throw new InvalidOperationException($"{network.Name}: the ONNX graph used {offset} of {parameters.Length} parameters.");
        }

        writer.AddOutput(OutputName, [batchSize, .. network.OutputShape.Select(size => (long)size)]);
        return writer.ToModel(network.Name);
    }

    private static string AddInitializer(OnnxWriter writer, string name, ReadOnlySpan<float> parameters, ref int offset, params long[] dimensions)
    {
        int length = checked((int)dimensions.Aggregate(1L, (product, size) => product * size));
        writer.AddInitializer(name, parameters.Slice(offset, length), dimensions);
        offset += length;
        return name;
    }
}

/// <summary>
/// One ONNX Runtime session on the CPU execution provider: all graph optimizations, an explicit
/// intra-op thread count, and input and output bound once (<c>IoBinding</c>) to pinned managed
/// arrays, so a timed <see cref="Run"/> is ORT's own work only.
/// </summary>
internal sealed class OnnxInference : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly OrtValue _inputValue;
    private readonly OrtValue _outputValue;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();

    public OnnxInference(BenchmarkNetwork network, ReadOnlySpan<float> parameters, int batchSize, int threads, float[] input)
    {
        _options = Options(threads);
        _session = new InferenceSession(OnnxModels.Build(network, parameters, batchSize), _options);
        Output = new float[batchSize * network.OutputLength];
        (_inputValue, _outputValue, _binding) = Bind(_session, network, batchSize, input, Output);
    }

    /// <summary>The CPU execution provider with every graph optimization and <paramref name="threads"/> intra-op threads.</summary>
    public static SessionOptions Options(int threads) => new()
    {
        IntraOpNumThreads = threads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    /// <summary>Binds <paramref name="input"/> and <paramref name="output"/> (pinned managed arrays) to a session's graph input and output.</summary>
    public static (OrtValue Input, OrtValue Output, OrtIoBinding Binding) Bind(InferenceSession session, BenchmarkNetwork network, int batchSize, float[] input, float[] output)
    {
        var inputValue = OrtValue.CreateTensorValueFromMemory(input, [batchSize, network.Channels, network.Height, network.Width]);
        var outputValue = OrtValue.CreateTensorValueFromMemory(output, [batchSize, .. network.OutputShape.Select(size => (long)size)]);
        OrtIoBinding binding = session.CreateIoBinding();
        binding.BindInput(OnnxModels.InputName, inputValue);
        binding.BindOutput(OnnxModels.OutputName, outputValue);
        return (inputValue, outputValue, binding);
    }

    /// <summary>Where <see cref="Run"/> writes (N · OutputLength floats).</summary>
    public float[] Output { get; }

    public void Run() => _session.RunWithBinding(_runOptions, _binding);

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
