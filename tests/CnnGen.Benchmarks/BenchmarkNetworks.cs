using CnnGen.Runtime;
using CnnGen.Runtime.Training;
using ReferenceNetworks = CnnGen.Tests.Networks;

namespace CnnGen.Benchmarks;

/// <summary>The seed network's second convolution alone: (N,32,14,14) -> (N,64,14,14).</summary>
[Network]
[Input(32, 14, 14)]
[Conv2D(64, 5, Padding = 2)]
public sealed partial class SeedConv2;

/// <summary>The networks compared with ONNX Runtime and libtorch.</summary>
public enum Net
{
    LeNet5,
    SeedNet,
}

/// <summary>The graph networks (skip connections, BatchNorm) compared with ONNX Runtime and libtorch.</summary>
public enum GraphNet
{
    ResNet8,
}

/// <summary>
/// The networks as layer lists for the yardsticks (ONNX graph, <c>nn.Sequential</c>). LeNet-5 and the seed
/// net are the shared reference declarations (tests/Shared/ReferenceNetworks.cs, linked into this project:
/// the seed net is <c>FashionNet</c> there); the conv2-alone network is declared above.
/// <see cref="BenchmarkNetwork.CreateCnnGen"/> checks every parameter shape against the generated
/// <c>ParameterTensors</c>, so a list that drifts from its attributes fails before any timing.
/// </summary>
internal static class BenchmarkNetworks
{
    public static BenchmarkNetwork LeNet5 { get; } = new(
        "LeNet-5",
        Channels: 1,
        Height: 32,
        Width: 32,
        [
            new LayerSpec.Conv(1, 6, 5), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Conv(6, 16, 5), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Flatten(),
            new LayerSpec.Dense(16 * 5 * 5, 120), new LayerSpec.Relu(),
            new LayerSpec.Dense(120, 84), new LayerSpec.Relu(),
            new LayerSpec.Dense(84, 10),
        ],
        () => new ReferenceNetworks.LeNet5(),
        network => ((ReferenceNetworks.LeNet5)network).Freeze());

    public static BenchmarkNetwork SeedNet { get; } = new(
        "seed net",
        Channels: 1,
        Height: 28,
        Width: 28,
        [
            new LayerSpec.Conv(1, 32, 5, Padding: 2), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Conv(32, 64, 5, Padding: 2), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Flatten(), new LayerSpec.Dropout(0.5),
            new LayerSpec.Dense(64 * 7 * 7, 1000),
            new LayerSpec.Dense(1000, 10),
        ],
        () => new ReferenceNetworks.FashionNet(),
        network => ((ReferenceNetworks.FashionNet)network).Freeze());

    public static BenchmarkNetwork SeedConv2 { get; } = new(
        "seed conv2",
        Channels: 32,
        Height: 14,
        Width: 14,
        [new LayerSpec.Conv(32, 64, 5, Padding: 2)],
        () => new SeedConv2());

    /// <summary>
    /// ResNet-8 (tests/Shared/ReferenceNetworks.cs, issue 15) as a graph: each node is named as CnnGen names the
    /// layer, which is its <c>state_dict</c> prefix, so the yardsticks take parameters and running statistics by
    /// name. Before it is compared or timed, <see cref="TrainBriefly"/> runs a few training steps, so the running
    /// statistics and the BatchNorm scales and shifts are not PyTorch's initial 0 / 1.
    /// </summary>
    public static BenchmarkNetwork ResNet8 { get; } = new(
        "ResNet-8",
        Channels: 1,
        Height: 28,
        Width: 28,
        [],
        () => new ReferenceNetworks.ResNet8(),
        network => ((ReferenceNetworks.ResNet8)network).Freeze(),
        Graph:
        [
            new("conv1", new LayerSpec.Conv(1, 16, 3, Padding: 1, Bias: false)),
            new("bn1", new LayerSpec.BatchNorm(16)),
            new("stem", new LayerSpec.Relu()),
            new("conv2", new LayerSpec.Conv(16, 16, 3, Padding: 1, Bias: false)),
            new("bn2", new LayerSpec.BatchNorm(16)),
            new("relu2", new LayerSpec.Relu()),
            new("conv3", new LayerSpec.Conv(16, 16, 3, Padding: 1, Bias: false)),
            new("bn3", new LayerSpec.BatchNorm(16)),
            new("add1", new LayerSpec.Add(), "bn3", "stem"),
            new("block1", new LayerSpec.Relu()),
            new("conv4", new LayerSpec.Conv(16, 32, 1, Stride: 2, Bias: false), "block1"),
            new("shortcut2", new LayerSpec.BatchNorm(32)),
            new("conv5", new LayerSpec.Conv(16, 32, 3, Padding: 1, Stride: 2, Bias: false), "block1"),
            new("bn5", new LayerSpec.BatchNorm(32)),
            new("relu4", new LayerSpec.Relu()),
            new("conv6", new LayerSpec.Conv(32, 32, 3, Padding: 1, Bias: false)),
            new("bn6", new LayerSpec.BatchNorm(32)),
            new("add2", new LayerSpec.Add(), "bn6", "shortcut2"),
            new("block2", new LayerSpec.Relu()),
            new("conv7", new LayerSpec.Conv(32, 64, 1, Stride: 2, Bias: false), "block2"),
            new("shortcut3", new LayerSpec.BatchNorm(64)),
            new("conv8", new LayerSpec.Conv(32, 64, 3, Padding: 1, Stride: 2, Bias: false), "block2"),
            new("bn8", new LayerSpec.BatchNorm(64)),
            new("relu6", new LayerSpec.Relu()),
            new("conv9", new LayerSpec.Conv(64, 64, 3, Padding: 1, Bias: false)),
            new("bn9", new LayerSpec.BatchNorm(64)),
            new("add3", new LayerSpec.Add(), "bn9", "shortcut3"),
            new("relu7", new LayerSpec.Relu()),
            new("pool1", new LayerSpec.GlobalAvgPool()),
            new("flatten1", new LayerSpec.Flatten()),
            new("dense1", new LayerSpec.Dense(64, 10)),
        ],
        Prepare: network => TrainBriefly(network));

    public static BenchmarkNetwork Get(GraphNet net) => net switch
    {
        GraphNet.ResNet8 => ResNet8,
        _ => throw new ArgumentOutOfRangeException(nameof(net), net, "Unknown graph benchmark network."),
    };

    /// <summary>
    /// A few Adam steps (lr 1e-2) in training mode on seeded batches, then inference mode: BatchNorm's running
    /// statistics and <c>num_batches_tracked</c> move off their initial values, and so do its scales and shifts.
    /// </summary>
    public static void TrainBriefly(INetwork network, int steps = 4)
    {
        int batch = BenchmarkData.BatchSize;
        var adam = new Adam(network.ParameterCount, learningRate: 1e-2f);
        var logits = new float[batch * network.OutputLength];
        network.IsTraining = true;
        for (int step = 0; step < steps; step++)
        {
            float[] images = BenchmarkData.Images(batch, network.InputLength, seed: 100 + step);
            int[] labels = BenchmarkData.Labels(batch, network.OutputLength, seed: 200 + step);
            network.ForwardBatch(images, logits, batch);
            SoftmaxCrossEntropy.Instance.Backward(logits, labels, logits);
            network.ZeroGradients();
            network.BackwardBatch(logits, default, batch);
            adam.Step(network.Parameters, network.Gradients);
        }

        network.IsTraining = false;
    }

    /// <summary>Batch 1 through the contract's one-sample <c>Forward</c>; larger batches through <c>ForwardBatch</c>.</summary>
    public static void Forward(INetwork network, float[] input, float[] output, int batch)
    {
        if (batch == 1)
        {
            network.Forward(input, output);
        }
        else
        {
            network.ForwardBatch(input, output, batch);
        }
    }

    /// <summary>Copies parameters, running statistics and batch counts from one instance of a network to another.</summary>
    public static void CopyState(INetwork from, INetwork to)
    {
        from.Parameters.CopyTo(to.Parameters);
        from.State.CopyTo(to.State);
        from.BatchesTracked.CopyTo(to.BatchesTracked);
    }

    public static BenchmarkNetwork Get(Net net) => net switch
    {
        Net.LeNet5 => LeNet5,
        Net.SeedNet => SeedNet,
        _ => throw new ArgumentOutOfRangeException(nameof(net), net, "Unknown benchmark network."),
    };
}

/// <summary>One layer as ONNX Runtime and libtorch are given it; the weights come from CnnGen's <c>Parameters</c>.</summary>
internal abstract record LayerSpec
{
    /// <summary>Square kernel, symmetric zero padding, square stride; weight [out, in, k, k] then (unless <paramref name="Bias"/> is false) bias [out].</summary>
    public sealed record Conv(int InChannels, int OutChannels, int Kernel, int Padding = 0, int Stride = 1, bool Bias = true) : LayerSpec;

    /// <summary><c>nn.BatchNorm2d</c>: weight, bias [C] (parameters), running_mean, running_var [C] (state).</summary>
    public sealed record BatchNorm(int Channels, float Epsilon = 1e-5f) : LayerSpec;

    /// <summary>Element-wise sum of the node's inputs (graph networks only).</summary>
    public sealed record Add : LayerSpec;

    /// <summary>Channel concatenation (dim 1) of the node's inputs, in their order (graph networks only).</summary>
    public sealed record Concat : LayerSpec;

    /// <summary><c>nn.AdaptiveAvgPool2d(1)</c>: (N, C, H, W) -> (N, C, 1, 1).</summary>
    public sealed record GlobalAvgPool : LayerSpec;

    public sealed record Relu : LayerSpec;

    /// <summary>Square window, stride = size.</summary>
    public sealed record MaxPool(int Size) : LayerSpec;

    /// <summary>(N, C, H, W) -> (N, C·H·W).</summary>
    public sealed record Flatten : LayerSpec;

    /// <summary>Active in training only; the identity in inference (so not in the ONNX graph).</summary>
    public sealed record Dropout(double Probability) : LayerSpec;

    /// <summary>Weight [out, in] then (unless <paramref name="Bias"/> is false) bias [out], as <c>nn.Linear</c>.</summary>
    public sealed record Dense(int InFeatures, int OutFeatures, bool Bias = true) : LayerSpec;

    /// <summary>(C, H, W) or (features) after this layer, from its input shapes (the first input for one-input layers).</summary>
    public int[] OutputShape(IReadOnlyList<int[]> inputs)
    {
        int[] shape = inputs[0];
        return this switch
        {
            Conv conv => [conv.OutChannels, ((shape[1] + (2 * conv.Padding) - conv.Kernel) / conv.Stride) + 1, ((shape[2] + (2 * conv.Padding) - conv.Kernel) / conv.Stride) + 1],
            MaxPool pool => [shape[0], shape[1] / pool.Size, shape[2] / pool.Size],
            Flatten => [shape.Aggregate(1, (product, size) => product * size)],
            Dense dense => [dense.OutFeatures],
            GlobalAvgPool => [shape[0], 1, 1],
            Add when inputs.Any(input => !input.SequenceEqual(shape)) =>
                throw new InvalidOperationException($"Add of different shapes: {string.Join(" + ", inputs.Select(input => $"({string.Join(", ", input)})"))}."),
            Concat => [inputs.Sum(input => input[0]), shape[1], shape[2]],
            _ => shape,
        };
    }
}

/// <summary>
/// One layer of a graph network: <paramref name="Name"/> is CnnGen's name of the layer (its output tensor and its
/// <c>state_dict</c> prefix); <paramref name="Inputs"/> the tensors it reads, none for the previous node's output
/// (the network's input, <c>input</c>, for the first).
/// </summary>
internal sealed record GraphNode(string Name, LayerSpec Layer, params string[] Inputs);

/// <summary>
/// A benchmark network: its input shape, its layers for the yardsticks — a chain (<paramref name="Layers"/>,
/// parameters by position) or a graph (<paramref name="Graph"/>, parameters and state by <c>state_dict</c> name) —
/// its generated CnnGen class, and what is done to a new instance before use (<paramref name="Prepare"/>).
/// </summary>
internal sealed record BenchmarkNetwork(
    string Name,
    int Channels,
    int Height,
    int Width,
    LayerSpec[] Layers,
    Func<INetwork> Create,
    Action<INetwork>? Freeze = null,
    GraphNode[]? Graph = null,
    Action<INetwork>? Prepare = null)
{
    /// <summary>The name of the network's input tensor in a graph, as in CnnGen.</summary>
    public const string InputTensor = "input";

    public int InputLength => Channels * Height * Width;

    /// <summary>The output shape after all layers, without the batch: (C, H, W) or (features).</summary>
    public int[] OutputShape
    {
        get
        {
            if (Graph is not null)
            {
                return GraphShapes()[Graph[^1].Name];
            }

            int[] shape = [Channels, Height, Width];
            foreach (LayerSpec layer in Layers)
            {
                shape = layer.OutputShape([shape]);
            }

            return shape;
        }
    }

    /// <summary>The tensors each graph node reads: its own inputs, or the previous node's output.</summary>
    public static string[] InputsOf(GraphNode[] graph, int index) =>
        graph[index].Inputs.Length > 0 ? graph[index].Inputs : [index == 0 ? InputTensor : graph[index - 1].Name];

    /// <summary>The shape of every tensor of the graph (without the batch), by name.</summary>
    public Dictionary<string, int[]> GraphShapes()
    {
        GraphNode[] graph = Graph ?? throw new InvalidOperationException($"{Name} is a chain, not a graph.");
        var shapes = new Dictionary<string, int[]> { [InputTensor] = [Channels, Height, Width] };
        for (int index = 0; index < graph.Length; index++)
        {
            int[][] inputs = InputsOf(graph, index).Select(name => shapes[name]).ToArray();
            shapes.Add(graph[index].Name, graph[index].Layer.OutputShape(inputs));
        }

        return shapes;
    }

    /// <summary>A graph's parameters (<c>state_dict</c> name, shape) in <c>parameters()</c> order, and its state tensors.</summary>
    public (List<(string Name, int[] Shape)> Parameters, List<(string Name, int[] Shape)> State) GraphTensors()
    {
        GraphNode[] graph = Graph ?? throw new InvalidOperationException($"{Name} is a chain, not a graph.");
        var parameters = new List<(string, int[])>();
        var state = new List<(string, int[])>();
        foreach (GraphNode node in graph)
        {
            switch (node.Layer)
            {
                case LayerSpec.Conv conv:
                    parameters.Add(($"{node.Name}.weight", [conv.OutChannels, conv.InChannels, conv.Kernel, conv.Kernel]));
                    if (conv.Bias)
                    {
                        parameters.Add(($"{node.Name}.bias", [conv.OutChannels]));
                    }

                    break;
                case LayerSpec.Dense dense:
                    parameters.Add(($"{node.Name}.weight", [dense.OutFeatures, dense.InFeatures]));
                    if (dense.Bias)
                    {
                        parameters.Add(($"{node.Name}.bias", [dense.OutFeatures]));
                    }

                    break;
                case LayerSpec.BatchNorm batchNorm:
                    parameters.Add(($"{node.Name}.weight", [batchNorm.Channels]));
                    parameters.Add(($"{node.Name}.bias", [batchNorm.Channels]));
                    state.Add(($"{node.Name}.running_mean", [batchNorm.Channels]));
                    state.Add(($"{node.Name}.running_var", [batchNorm.Channels]));
                    break;
            }
        }

        return (parameters, state);
    }

    public int OutputLength => OutputShape.Aggregate(1, (product, size) => product * size);

    /// <summary>Parameter tensor shapes in PyTorch's <c>parameters()</c> order: per layer weight, then bias.</summary>
    public IEnumerable<int[]> ParameterShapes()
    {
        foreach (LayerSpec layer in Layers)
        {
            switch (layer)
            {
                case LayerSpec.Conv conv:
                    yield return [conv.OutChannels, conv.InChannels, conv.Kernel, conv.Kernel];
                    yield return [conv.OutChannels];
                    break;
                case LayerSpec.Dense dense:
                    yield return [dense.OutFeatures, dense.InFeatures];
                    yield return [dense.OutFeatures];
                    break;
            }
        }
    }

    /// <summary>
    /// A new generated network with its default (seed 0) parameters, checked against <see cref="Layers"/> or
    /// <see cref="Graph"/>, then <see cref="Prepare"/>d.
    /// </summary>
    public INetwork CreateCnnGen()
    {
        INetwork network = Create();
        if (Graph is not null)
        {
            CheckGraph(network);
            Prepare?.Invoke(network);
            return network;
        }

        int[][] expected = ParameterShapes().ToArray();
        IReadOnlyList<ParameterTensor> actual = network.ParameterTensors;
        bool same = expected.Length == actual.Count
            && expected.Zip(actual).All(pair => pair.First.SequenceEqual(pair.Second.Shape))
            && network.InputLength == InputLength
            && network.OutputLength == OutputLength;
        if (!same)
        {
            throw new InvalidOperationException(
                $"{Name}: the layer list for ONNX Runtime and libtorch does not match the generated network. " +
                $"Layer list parameters: {string.Join(", ", expected.Select(shape => $"({string.Join(",", shape)})"))}; " +
                $"generated: {string.Join(", ", actual.Select(tensor => $"{tensor.Name} ({string.Join(",", tensor.Shape)})"))}.");
        }

        Prepare?.Invoke(network);
        return network;
    }

    /// <summary>The graph's tensors, names and shapes in order, are exactly the generated network's.</summary>
    private void CheckGraph(INetwork network)
    {
        var (parameters, state) = GraphTensors();
        static bool Same(List<(string Name, int[] Shape)> expected, IReadOnlyList<ParameterTensor> actual) =>
            expected.Count == actual.Count
            && expected.Zip(actual).All(pair => pair.First.Name == pair.Second.Name && pair.First.Shape.SequenceEqual(pair.Second.Shape));
        static string List(IEnumerable<(string Name, IEnumerable<int> Shape)> tensors) =>
            string.Join(", ", tensors.Select(tensor => $"{tensor.Name} ({string.Join(",", tensor.Shape)})"));

        bool same = Same(parameters, network.ParameterTensors)
            && Same(state, network.StateTensors)
            && network.InputLength == InputLength
            && network.OutputLength == OutputLength;
        if (!same)
        {
            throw new InvalidOperationException(
                $"{Name}: the graph for ONNX Runtime and libtorch does not match the generated network. " +
                $"Graph: {List(parameters.Concat(state).Select(tensor => (tensor.Name, (IEnumerable<int>)tensor.Shape)))}; " +
                $"generated: {List(network.ParameterTensors.Concat(network.StateTensors).Select(tensor => (tensor.Name, (IEnumerable<int>)tensor.Shape)))}.");
        }
    }
}
