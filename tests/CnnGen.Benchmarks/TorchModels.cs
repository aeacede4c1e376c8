using CnnGen.Parity.Tests.Native;
using TorchSharp;
using static TorchSharp.torch;
using TorchModule = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace CnnGen.Benchmarks;

/// <summary>Builds the <c>nn.Sequential</c> of a <see cref="BenchmarkNetwork"/> with CnnGen's own parameters.</summary>
internal static class TorchModels
{
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

    public TorchInference(BenchmarkNetwork network, ReadOnlySpan<float> parameters, int batchSize, float[] input)
    {
        _model = TorchModels.Build(network, parameters);
        _model.eval();
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

    public TorchTrainingStep(BenchmarkNetwork network, ReadOnlySpan<float> parameters, int batchSize, float[] input, int[] labels)
    {
        _model = TorchModels.Build(network, parameters);
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

    public TorchForwardBackward(BenchmarkNetwork network, ReadOnlySpan<float> parameters, int batchSize, float[] input, float[] outputGradient)
    {
        _model = TorchModels.Build(network, parameters);
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
