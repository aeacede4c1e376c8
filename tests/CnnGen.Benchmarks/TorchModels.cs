using CnnGen.Parity.Tests.Native;
using CnnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using TorchModule = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace CnnGen.Benchmarks;

/// <summary>Builds the libtorch module of a <see cref="BenchmarkNetwork"/> with CnnGen's own parameters (and state).</summary>
internal static class TorchModels
{
    /// <summary>
    /// The PyTorch twin of <paramref name="network"/> holding <paramref name="cnnGen"/>'s weights: an
    /// <c>nn.Sequential</c> filled by parameter position for a chain, a <see cref="TorchGraph"/> filled by
    /// <c>state_dict</c> name (parameters, running statistics, <c>num_batches_tracked</c>) for a graph.
    /// </summary>
    public static TorchModule Build(BenchmarkNetwork network, INetwork cnnGen) =>
        network.Graph is null ? Build(network, cnnGen.Parameters) : BuildGraph(network, cnnGen);

    /// <summary>A <see cref="TorchGraph"/> whose whole <c>state_dict</c> is copied from <paramref name="cnnGen"/> by name.</summary>
    public static TorchModule BuildGraph(BenchmarkNetwork network, INetwork cnnGen)
    {
        LibTorchBootstrap.EnsureInitialized();
        var model = new TorchGraph(network);
        var tensors = new NamedTensors(cnnGen);
        var batchesTracked = cnnGen.BatchesTrackedNames
            .Select((name, index) => (name, index))
            .ToDictionary(entry => entry.name, entry => cnnGen.BatchesTracked[entry.index]);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, target) in model.state_dict())
        {
            if (batchesTracked.TryGetValue(name, out long count))
            {
                target.fill_(count);
                continue;
            }

            var (values, shape) = tensors.Take(name);
            if (!target.shape.SequenceEqual(shape))
            {
                throw new InvalidOperationException(
                    $"{network.Name}: {name} is ({string.Join(", ", target.shape)}) in libtorch, ({string.Join(", ", shape)}) in CnnGen.");
            }

            target.copy_(tensor(values, shape, dtype: ScalarType.Float32));
        }

        tensors.CheckAllUsed(network.Name, "the libtorch model");
        return model;
    }

    /// <summary>
    /// The PyTorch twin of <paramref name="network"/>; <paramref name="parameters"/> is CnnGen's
    /// buffer, which is <c>parameters()</c> order and layout by contract.
    /// </summary>
    public static TorchModule Build(BenchmarkNetwork network, ReadOnlySpan<float> parameters)
    {
        LibTorchBootstrap.EnsureInitialized();
        var model = nn.Sequential(network.Layers
            .Select((layer, index) => (index.ToString(System.Globalization.CultureInfo.InvariantCulture), Module(layer)))
            .ToArray());
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int offset = 0;
        foreach (var parameter in model.parameters())
        {
            int length = checked((int)parameter.numel());
            parameter.copy_(tensor(parameters.Slice(offset, length).ToArray(), parameter.shape, dtype: ScalarType.Float32));
            offset += length;
        }

        if (offset != parameters.Length)
        {
            throw new InvalidOperationException($"{network.Name}: the libtorch model has {offset} parameters, CnnGen {parameters.Length}.");
        }

        return model;
    }

    /// <summary>(N, C, H, W) float32 tensor holding a copy of <paramref name="values"/>.</summary>
    public static Tensor Input(BenchmarkNetwork network, float[] values, int batchSize) =>
        tensor(values, [batchSize, network.Channels, network.Height, network.Width], dtype: ScalarType.Float32);

    /// <summary>The libtorch module of one layer; null for Add and Concat, which the graph computes itself.</summary>
    internal static TorchModule? GraphModule(LayerSpec layer) => layer switch
    {
        LayerSpec.Conv conv => nn.Conv2d(conv.InChannels, conv.OutChannels, conv.Kernel, stride: conv.Stride, padding: conv.Padding, bias: conv.Bias),
        LayerSpec.BatchNorm batchNorm => nn.BatchNorm2d(batchNorm.Channels, eps: batchNorm.Epsilon),
        LayerSpec.GlobalAvgPool => nn.AdaptiveAvgPool2d(1),
        LayerSpec.Dense dense => nn.Linear(dense.InFeatures, dense.OutFeatures, hasBias: dense.Bias),
        LayerSpec.Add or LayerSpec.Concat => null,
        _ => Module(layer),
    };

    private static TorchModule Module(LayerSpec layer) => layer switch
    {
        LayerSpec.Conv conv => nn.Conv2d(conv.InChannels, conv.OutChannels, conv.Kernel, padding: conv.Padding),
        LayerSpec.Relu => nn.ReLU(),
        LayerSpec.MaxPool pool => nn.MaxPool2d(pool.Size),
        LayerSpec.Flatten => nn.Flatten(),
        LayerSpec.Dropout dropout => nn.Dropout(dropout.Probability),
        LayerSpec.Dense dense => nn.Linear(dense.InFeatures, dense.OutFeatures),
        _ => throw new NotSupportedException($"No libtorch module for {layer}."),
    };
}

/// <summary>libtorch inference: eval mode, no autograd, the output copied back to a managed array.</summary>
internal sealed class TorchInference : IDisposable
{
    private readonly TorchModule _model;
    private readonly Tensor _input;

    /// <param name="train">Run in <c>train()</c> mode (batch statistics, running ones updated) instead of <c>eval()</c>: for agreement checks.</param>
    public TorchInference(BenchmarkNetwork network, INetwork cnnGen, int batchSize, float[] input, bool train = false)
    {
        _model = TorchModels.Build(network, cnnGen);
        if (train)
        {
            _model.train();
        }
        else
        {
            _model.eval();
        }

        _input = TorchModels.Input(network, input, batchSize);
        Output = new float[batchSize * network.OutputLength];
    }

    /// <summary>Where <see cref="Run"/> copies the result (N · OutputLength floats).</summary>
    public float[] Output { get; }

    public void Run()
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        using Tensor output = _model.call(_input);
        output.data<float>().CopyTo(Output);
    }

    /// <summary>One forward pass with autograd off but not in inference mode, for a model built with <c>train: true</c>.</summary>
    public void RunWithoutGradients()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using Tensor output = _model.call(_input);
        output.data<float>().CopyTo(Output);
    }

    /// <summary>The model's <c>state_dict</c> entries named by <paramref name="tensors"/>, laid out as they say (CnnGen's <c>State</c>).</summary>
    public float[] StateByName(IReadOnlyList<CnnGen.Runtime.ParameterTensor> tensors)
    {
        var values = new float[tensors.Sum(tensor => tensor.Length)];
        Dictionary<string, Tensor> state = _model.state_dict();
        foreach (CnnGen.Runtime.ParameterTensor entry in tensors)
        {
            state[entry.Name].data<float>().CopyTo(values.AsSpan(entry.Offset, entry.Length));
        }

        return values;
    }

    public void Dispose()
    {
        _input.Dispose();
        _model.Dispose();
    }
}

/// <summary>
/// One libtorch training step, as a PyTorch user writes it: <c>zero_grad</c>, forward (train mode,
/// dropout active), <c>cross_entropy</c>, <c>backward</c>, <c>Adam.step</c> (lr 1e-3, defaults).
/// </summary>
internal sealed class TorchTrainingStep : IDisposable
{
    private readonly TorchModule _model;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _input;
    private readonly Tensor _labels;

    public TorchTrainingStep(BenchmarkNetwork network, INetwork cnnGen, int batchSize, float[] input, int[] labels)
    {
        _model = TorchModels.Build(network, cnnGen);
        _model.train();
        _optimizer = optim.Adam(_model.parameters(), lr: 1e-3);
        _input = TorchModels.Input(network, input, batchSize);
        _labels = tensor(labels.Select(label => (long)label).ToArray(), dtype: ScalarType.Int64);
    }

    /// <summary>One step; returns the loss before the update.</summary>
    public float Run()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        Tensor logits = _model.call(_input);
        Tensor loss = nn.functional.cross_entropy(logits, _labels);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }

    public void Dispose()
    {
        _labels.Dispose();
        _input.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}

/// <summary>
/// libtorch forward and backward of one layer stack, as in training: parameter gradients and
/// the input gradient, for a fixed output gradient.
/// </summary>
internal sealed class TorchForwardBackward : IDisposable
{
    private readonly TorchModule _model;
    private readonly Tensor _input;
    private readonly Tensor _outputGradient;

    public TorchForwardBackward(BenchmarkNetwork network, INetwork cnnGen, int batchSize, float[] input, float[] outputGradient)
    {
        _model = TorchModels.Build(network, cnnGen);
        _model.train();
        _input = TorchModels.Input(network, input, batchSize).requires_grad_(true);
        _outputGradient = tensor(outputGradient, [batchSize, .. network.OutputShape.Select(size => (long)size)], dtype: ScalarType.Float32);
    }

    public void Run()
    {
        using var scope = NewDisposeScope();
        _model.zero_grad(); // the input gradient accumulates across runs; that add is noise next to the convolution
        Tensor output = _model.call(_input);
        output.backward([_outputGradient]);
    }

    public void Dispose()
    {
        _outputGradient.Dispose();
        _input.Dispose();
        _model.Dispose();
    }
}

/// <summary>
/// A graph network in libtorch: one submodule per layer with parameters, registered under CnnGen's layer name (so
/// <c>state_dict</c> names are CnnGen's: <c>conv1.weight</c>, <c>bn1.running_var</c>), residual adds and
/// concatenations done in <see cref="forward"/>: what a PyTorch user writes for ResNet-8
/// (<c>nn.Conv2d(bias=False)</c>, <c>nn.BatchNorm2d</c>, <c>out + shortcut</c>, <c>nn.AdaptiveAvgPool2d(1)</c>, <c>nn.Linear</c>).
/// </summary>
internal sealed class TorchGraph : nn.Module<Tensor, Tensor>
{
    private readonly GraphNode[] _graph;
    private readonly TorchModule?[] _modules;

    public TorchGraph(BenchmarkNetwork network)
        : base(network.Name)
    {
        _graph = network.Graph ?? throw new ArgumentException($"{network.Name} is not a graph network.", nameof(network));
        _modules = _graph.Select(node => TorchModels.GraphModule(node.Layer)).ToArray();
        for (int index = 0; index < _graph.Length; index++)
        {
            if (_modules[index] is { } module)
            {
                register_module(_graph[index].Name, module);
            }
        }
    }

    public override Tensor forward(Tensor input)
    {
        var tensors = new Dictionary<string, Tensor> { [BenchmarkNetwork.InputTensor] = input };
        Tensor current = input;
        for (int index = 0; index < _graph.Length; index++)
        {
            Tensor[] operands = BenchmarkNetwork.InputsOf(_graph, index).Select(name => tensors[name]).ToArray();
            current = _graph[index].Layer switch
            {
                LayerSpec.Add => operands.Skip(1).Aggregate(operands[0], (sum, operand) => sum + operand),
                LayerSpec.Concat => cat(operands, 1),
                _ => _modules[index]!.call(operands[0]),
            };
            tensors[_graph[index].Name] = current;
        }

        return current;
    }
}
