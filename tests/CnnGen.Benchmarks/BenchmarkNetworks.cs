using CnnGen.Runtime;
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
    /// <summary>Square kernel, stride 1, symmetric zero padding; weight [out, in, k, k] then bias [out].</summary>
    public sealed record Conv(int InChannels, int OutChannels, int Kernel, int Padding = 0) : LayerSpec;

    public sealed record Relu : LayerSpec;

    /// <summary>Square window, stride = size.</summary>
    public sealed record MaxPool(int Size) : LayerSpec;

    /// <summary>(N, C, H, W) -> (N, C·H·W).</summary>
    public sealed record Flatten : LayerSpec;

    /// <summary>Active in training only; the identity in inference (so not in the ONNX graph).</summary>
    public sealed record Dropout(double Probability) : LayerSpec;

    /// <summary>Weight [out, in] then bias [out], as <c>nn.Linear</c>.</summary>
    public sealed record Dense(int InFeatures, int OutFeatures) : LayerSpec;
}

/// <summary>A benchmark network: its input shape, its layers for the yardsticks, and its generated CnnGen class.</summary>
internal sealed record BenchmarkNetwork(
    string Name, int Channels, int Height, int Width, LayerSpec[] Layers, Func<INetwork> Create, Action<INetwork>? Freeze = null)
{
    public int InputLength => Channels * Height * Width;

    /// <summary>The output shape after all layers, without the batch: (C, H, W) or (features).</summary>
    public int[] OutputShape
    {
        get
        {
            int[] shape = [Channels, Height, Width];
            foreach (LayerSpec layer in Layers)
            {
                shape = layer switch
                {
                    LayerSpec.Conv conv => [conv.OutChannels, shape[1] + (2 * conv.Padding) - conv.Kernel + 1, shape[2] + (2 * conv.Padding) - conv.Kernel + 1],
                    LayerSpec.MaxPool pool => [shape[0], shape[1] / pool.Size, shape[2] / pool.Size],
                    LayerSpec.Flatten => [shape.Aggregate(1, (product, size) => product * size)],
                    LayerSpec.Dense dense => [dense.OutFeatures],
                    _ => shape,
                };
            }

            return shape;
        }
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

    /// <summary>A new generated network with its default (seed 0) parameters, checked against <see cref="Layers"/>.</summary>
    public INetwork CreateCnnGen()
    {
        INetwork network = Create();
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

        return network;
    }
}
