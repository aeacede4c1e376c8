using CnnGen.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace CnnGen.Benchmarks;

/// <summary>Builds the ONNX graph of a <see cref="BenchmarkNetwork"/> from CnnGen's own parameters (and state).</summary>
internal static class OnnxModels
{
    public const string InputName = "input";
    public const string OutputName = "output";

    /// <summary>
    /// The ONNX model of <paramref name="network"/> holding <paramref name="cnnGen"/>'s weights: a chain by
    /// parameter position (<see cref="Build(BenchmarkNetwork, ReadOnlySpan{float}, int)"/>), a graph by
    /// <c>state_dict</c> name (<see cref="BuildGraph"/>).
    /// </summary>
    public static byte[] Build(BenchmarkNetwork network, INetwork cnnGen, int batchSize) =>
        network.Graph is null ? Build(network, cnnGen.Parameters, batchSize) : BuildGraph(network, cnnGen, batchSize);

    /// <summary>
    /// A graph network's nodes as ONNX nodes, tensors named as CnnGen names them (the last one <c>output</c>),
    /// initializers taken from <paramref name="cnnGen"/>'s <c>Parameters</c> and <c>State</c> by <c>state_dict</c>
    /// name: Conv and Gemm with or without bias, BatchNormalization in inference (scale, B, mean, var; epsilon),
    /// Relu, Add, Concat (axis 1), MaxPool, GlobalAveragePool, Flatten. Every parameter and state tensor must be used.
    /// </summary>
    public static byte[] BuildGraph(BenchmarkNetwork network, INetwork cnnGen, int batchSize)
    {
        GraphNode[] graph = network.Graph ?? throw new ArgumentException($"{network.Name} is not a graph network.", nameof(network));
        var tensors = new NamedTensors(cnnGen);
        var writer = new OnnxWriter();
        writer.AddInput(InputName, batchSize, network.Channels, network.Height, network.Width);
        var onnxNames = new Dictionary<string, string> { [BenchmarkNetwork.InputTensor] = InputName };
        for (int index = 0; index < graph.Length; index++)
        {
            GraphNode node = graph[index];
            string[] inputs = BenchmarkNetwork.InputsOf(graph, index).Select(name => onnxNames[name]).ToArray();
            string output = index == graph.Length - 1 ? OutputName : node.Name;
            string Initializer(string suffix) => tensors.AddInitializer(writer, $"{node.Name}.{suffix}");
            switch (node.Layer)
            {
                case LayerSpec.Conv conv:
                    writer.AddNode(
                        "Conv",
                        conv.Bias ? [inputs[0], Initializer("weight"), Initializer("bias")] : [inputs[0], Initializer("weight")],
                        output,
                        OnnxAttribute.Ints("kernel_shape", conv.Kernel, conv.Kernel),
                        OnnxAttribute.Ints("pads", conv.Padding, conv.Padding, conv.Padding, conv.Padding),
                        OnnxAttribute.Ints("strides", conv.Stride, conv.Stride),
                        OnnxAttribute.Ints("dilations", 1, 1),
                        OnnxAttribute.Int("group", 1));
                    break;
                case LayerSpec.BatchNorm batchNorm:
                    writer.AddNode(
                        "BatchNormalization",
                        [inputs[0], Initializer("weight"), Initializer("bias"), Initializer("running_mean"), Initializer("running_var")],
                        output,
                        OnnxAttribute.Float("epsilon", batchNorm.Epsilon));
                    break;
                case LayerSpec.Relu:
                    writer.AddNode("Relu", [inputs[0]], output);
                    break;
                case LayerSpec.Add:
                    if (inputs.Length < 2)
                    {
                        throw new NotSupportedException($"{network.Name}: {node.Name} adds fewer than two tensors.");
                    }

                    // ONNX's Add takes two operands; a sum of more chains them, in order.
                    string sum = inputs[0];
                    for (int operand = 1; operand < inputs.Length; operand++)
                    {
                        string partial = operand == inputs.Length - 1 ? output : $"{node.Name}.partial{operand}";
                        writer.AddNode("Add", [sum, inputs[operand]], partial);
                        sum = partial;
                    }

                    break;
                case LayerSpec.Concat:
                    writer.AddNode("Concat", inputs, output, OnnxAttribute.Int("axis", 1));
                    break;
                case LayerSpec.MaxPool pool:
                    writer.AddNode(
                        "MaxPool",
                        [inputs[0]],
                        output,
                        OnnxAttribute.Ints("kernel_shape", pool.Size, pool.Size),
                        OnnxAttribute.Ints("strides", pool.Size, pool.Size));
                    break;
                case LayerSpec.GlobalAvgPool:
                    writer.AddNode("GlobalAveragePool", [inputs[0]], output);
                    break;
                case LayerSpec.Flatten:
                    writer.AddNode("Flatten", [inputs[0]], output, OnnxAttribute.Int("axis", 1));
                    break;
                case LayerSpec.Dense dense:
                    writer.AddNode(
                        "Gemm",
                        dense.Bias ? [inputs[0], Initializer("weight"), Initializer("bias")] : [inputs[0], Initializer("weight")],
                        output,
                        OnnxAttribute.Int("transB", 1));
                    break;
                default:
                    throw new NotSupportedException($"No ONNX mapping for {node.Layer} in a graph.");
            }

            onnxNames.Add(node.Name, output);
        }

        tensors.CheckAllUsed(network.Name, "the ONNX graph");
        writer.AddOutput(OutputName, [batchSize, .. network.OutputShape.Select(size => (long)size)]);
        return writer.ToModel(network.Name);
    }

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

    public OnnxInference(BenchmarkNetwork network, INetwork cnnGen, int batchSize, int threads, float[] input)
    {
        _options = Options(threads);
        _session = new InferenceSession(OnnxModels.Build(network, cnnGen, batchSize), _options);
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

/// <summary>
/// A CnnGen network's parameters and state by <c>state_dict</c> name (<c>conv1.weight</c>, <c>bn1.running_mean</c>),
/// with the shapes it declares, and which of them a yardstick has taken.
/// </summary>
internal sealed class NamedTensors
{
    private readonly INetwork _network;
    private readonly Dictionary<string, (ParameterTensor Tensor, bool IsState)> _tensors = [];
    private readonly HashSet<string> _used = [];

    public NamedTensors(INetwork network)
    {
        _network = network;
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            _tensors.Add(tensor.Name, (tensor, false));
        }

        foreach (ParameterTensor tensor in network.StateTensors)
        {
            _tensors.Add(tensor.Name, (tensor, true));
        }
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>The values of tensor <paramref name="name"/> (from <c>Parameters</c> or <c>State</c>) and its shape.</summary>
    public (float[] Values, long[] Shape) Take(string name)
    {
        if (!_tensors.TryGetValue(name, out var entry))
        {
            throw new InvalidOperationException(
                $"{name}: the generated network has no such parameter or state tensor (it has {string.Join(", ", _tensors.Keys)}).");
        }

        _used.Add(name);
        Span<float> source = entry.IsState ? _network.State : _network.Parameters;
        return (source.Slice(entry.Tensor.Offset, entry.Tensor.Length).ToArray(), entry.Tensor.Shape.Select(size => (long)size).ToArray());
    }

    /// <summary>Tensor <paramref name="name"/> as an ONNX initializer of the same name; returns the name.</summary>
    public string AddInitializer(OnnxWriter writer, string name)
    {
        var (values, shape) = Take(name);
        writer.AddInitializer(name, values, shape);
        return name;
    }

    /// <summary>Throws unless every parameter and state tensor was taken.</summary>
    public void CheckAllUsed(string network, string yardstick)
    {
        string[] unused = _tensors.Keys.Where(name => !_used.Contains(name)).ToArray();
        if (unused.Length > 0)
        {
            throw new InvalidOperationException($"{network}: {yardstick} left out {string.Join(", ", unused)}.");
        }
    }
}
