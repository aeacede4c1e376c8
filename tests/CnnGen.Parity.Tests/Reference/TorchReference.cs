using CnnGen.Parity.Tests.Native;
using TorchSharp;
using static TorchSharp.torch;
using TorchModule = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace CnnGen.Parity.Tests.Reference;

/// <summary>Output of <see cref="TorchReference.Forward"/>: values flattened row-major (PyTorch layout) plus shape.</summary>
public sealed record TorchOutput(float[] Values, long[] Shape);

/// <summary>Result of one forward + <c>CrossEntropyLoss</c> (mean reduction) + backward pass.</summary>
/// <param name="Loss">The scalar loss.</param>
/// <param name="Logits">The network output fed to the loss, flattened.</param>
/// <param name="ParameterGradients">Every parameter's <c>.grad</c>, concatenated in <c>parameters()</c> order.</param>
/// <param name="InputGradient">d loss / d input, same layout as the input.</param>
public sealed record TorchBackward(float Loss, float[] Logits, float[] ParameterGradients, float[] InputGradient);

/// <summary>Result of <see cref="TorchReference.Backward"/>: a forward pass and one vector–Jacobian product.</summary>
/// <param name="Output">The network output, flattened.</param>
/// <param name="Shape">The output's shape.</param>
/// <param name="ParameterGradients">Every parameter's <c>.grad</c>, concatenated in <c>parameters()</c> order.</param>
/// <param name="InputGradient">d loss / d input, same layout as the input.</param>
public sealed record TorchVectorJacobian(float[] Output, long[] Shape, float[] ParameterGradients, float[] InputGradient);

/// <summary>Result of a few optimizer steps.</summary>
/// <param name="Parameters">All parameters after the last step, flat, in <c>parameters()</c> order.</param>
/// <param name="Losses">The loss computed in each step (before that step's update).</param>
/// <param name="Gradients">Each step's parameter gradients (the ones that step applied), flat in <c>parameters()</c> order.</param>
public sealed record TorchTraining(float[] Parameters, float[] Losses, IReadOnlyList<float[]> Gradients);

/// <summary>
/// A PyTorch (libtorch via TorchSharp) reference implementation of a sequential network, for
/// parity tests against CnnGen's generated code. Everything crossing the API is a flat
/// <c>float[]</c> in PyTorch layout: tensors row-major NCHW; parameters concatenated in
/// <c>parameters()</c> order, i.e. per layer weight then bias, conv weight [out, in, kh, kw],
/// linear weight [out, in].
/// </summary>
/// <remarks>
/// float32, one CPU thread (see <see cref="LibTorchBootstrap"/>). The model starts in eval mode
/// (<see cref="Training"/> = false) so Dropout is the identity and every result is deterministic;
/// Sequential children are named "0", "1", … as in PyTorch.
/// <para>
/// The gradient references (<see cref="CrossEntropyBackward"/>, <see cref="Backward"/>) run a
/// float64 copy of the model: libtorch 2.10's float32 CPU input gradient of a convolution with few
/// channels (and float32 <c>conv_transpose2d</c>) is wrong on this project's host — up to 4.7 absolute
/// against a naive loop whose float64 libtorch result agrees to 4e-15
/// (<c>Smoke/TorchConvInputGradientTests</c>). The optimizer runs stay float32, as PyTorch users train.
/// </para>
/// </remarks>
public sealed class TorchReference : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly TorchSharp.Modules.Parameter[] parameters;

    public TorchReference(IEnumerable<Layer> layers)
    {
        LibTorchBootstrap.EnsureInitialized();
        Layers = layers.ToArray();
        model = Sequential(Layers);
        parameters = model.parameters().ToArray();
        ParameterShapes = parameters.Select(p => p.shape.ToArray()).ToArray();
        ParameterCount = checked((int)parameters.Sum(p => p.numel()));
        Training = false;
    }

    public TorchReference(params Layer[] layers)
        : this((IEnumerable<Layer>)layers)
    {
    }

    /// <summary>
    /// Builds the model right after <c>torch.manual_seed(<paramref name="seed"/>)</c>, so its default
    /// (PyTorch) initialization is reproducible. The global generator is shared: callers running in
    /// parallel must be serialized (see <see cref="TorchCollection"/>).
    /// </summary>
    public TorchReference(int seed, IEnumerable<Layer> layers)
        : this(SeedThen(seed, layers))
    {
    }

    /// <inheritdoc cref="TorchReference(int, IEnumerable{Layer})"/>
    public TorchReference(int seed, params Layer[] layers)
        : this(seed, (IEnumerable<Layer>)layers)
    {
    }

    /// <summary>The layer description this model was built from.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>The underlying <c>nn.Sequential</c>, for anything the helpers don't cover.</summary>
    public nn.Module<Tensor, Tensor> Model => model;

    /// <summary>Shapes of the parameter tensors, in <c>parameters()</c> order.</summary>
    public IReadOnlyList<long[]> ParameterShapes { get; }

    /// <summary>Total number of scalar parameters (length of the flat arrays).</summary>
    public int ParameterCount { get; }

    /// <summary>train() / eval() mode. Only matters for Dropout here. Defaults to false (eval).</summary>
    public bool Training
    {
        get => model.training;
        set => model.train(value);
    }

    /// <summary>Builds the torch.nn module for one layer description.</summary>
    public static TorchModule Build(Layer layer) => layer switch
    {
        Layer.Conv2d { Same: true } c => nn.Conv2d(
            c.InChannels, c.OutChannels, (c.Kernel, c.KernelWidth ?? c.Kernel), Padding.Same,
            stride: (c.Stride, c.StrideWidth ?? c.Stride), dilation: (c.Dilation, c.Dilation), bias: c.Bias),
        Layer.Conv2d c => nn.Conv2d(
            c.InChannels, c.OutChannels, (c.Kernel, c.KernelWidth ?? c.Kernel),
            stride: (c.Stride, c.StrideWidth ?? c.Stride), padding: (c.Padding, c.Padding), dilation: (c.Dilation, c.Dilation), bias: c.Bias),
        Layer.MaxPool2d m => nn.MaxPool2d(m.Kernel, stride: m.Stride ?? m.Kernel, padding: m.Padding),
        Layer.AvgPool2d a => nn.AvgPool2d(a.Kernel, stride: a.Stride ?? a.Kernel, padding: a.Padding, count_include_pad: a.CountIncludePad),
        Layer.Flatten => nn.Flatten(),
        Layer.Linear l => nn.Linear(l.InFeatures, l.OutFeatures, hasBias: l.Bias),
        Layer.ReLU => nn.ReLU(),
        Layer.Sigmoid => nn.Sigmoid(),
        Layer.Tanh => nn.Tanh(),
        Layer.Softmax => nn.Softmax(dim: 1),
        Layer.Dropout d => nn.Dropout(d.P),
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer, "Unknown layer kind."),
    };

    /// <summary>An <c>nn.Sequential</c> of <paramref name="layers"/>, children named "0", "1", … as in PyTorch.</summary>
    public static nn.Module<Tensor, Tensor> Sequential(IReadOnlyList<Layer> layers) =>
        nn.Sequential(layers.Select((l, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), Build(l))).ToArray());

    /// <summary>All parameters, flat, in <c>parameters()</c> order.</summary>
    public float[] GetParameters()
    {
        using var scope = NewDisposeScope();
        var flat = new float[ParameterCount];
        var at = 0;
        foreach (var p in parameters)
        {
            var values = p.detach().contiguous().data<float>().ToArray();
            values.CopyTo(flat, at);
            at += values.Length;
        }

        return flat;
    }

    /// <summary>Overwrites all parameters from a flat array in <c>parameters()</c> order.</summary>
    public void SetParameters(ReadOnlySpan<float> flat)
    {
        if (flat.Length != ParameterCount)
        {
            throw new ArgumentException($"Expected {ParameterCount} values, got {flat.Length}.", nameof(flat));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var at = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            var n = (int)parameters[i].numel();
            parameters[i].copy_(tensor(flat.Slice(at, n).ToArray(), ParameterShapes[i], dtype: ScalarType.Float32));
            at += n;
        }
    }

    /// <summary>Sets every parameter from <paramref name="valueAt"/>(flat index); handy for deterministic fills.</summary>
    public void SetParameters(Func<int, float> valueAt)
    {
        var flat = new float[ParameterCount];
        for (var i = 0; i < flat.Length; i++)
        {
            flat[i] = valueAt(i);
        }

        SetParameters(flat);
    }

    /// <summary>Forward pass without autograd.</summary>
    public TorchOutput Forward(float[] input, params long[] inputShape)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var y = model.call(Input(input, inputShape, requiresGrad: false));
        return new TorchOutput(ToArray(y), y.shape.ToArray());
    }

    /// <summary>
    /// Forward, <c>CrossEntropyLoss</c> (mean over the batch, applied to the network output as
    /// logits), backward. Gradients are fresh (zeroed first), not accumulated.
    /// </summary>
    public TorchBackward CrossEntropyBackward(float[] input, long[] inputShape, long[] targets)
    {
        using var scope = NewDisposeScope();
        using var twin = Float64Twin();
        var x = Input(input, inputShape, requiresGrad: true, ScalarType.Float64);
        var logits = twin.call(x);
        var loss = CrossEntropy(logits, targets);
        loss.backward();
        return new TorchBackward((float)loss.item<double>(), ToArray(logits), ReadGradients(twin.parameters()), ToArray(x.grad!));
    }

    /// <summary>
    /// Forward in the current mode, then backward of the linear loss <c>L = Σ output ⊙ outputGradient</c>,
    /// i.e. a vector–Jacobian product with dL/doutput = <paramref name="outputGradient"/> (same layout as
    /// the output). Gradients are fresh (zeroed first), not accumulated.
    /// </summary>
    public TorchVectorJacobian Backward(float[] input, long[] inputShape, float[] outputGradient)
    {
        using var scope = NewDisposeScope();
        using var twin = Float64Twin();
        var x = Input(input, inputShape, requiresGrad: true, ScalarType.Float64);
        var y = twin.call(x);
        if (y.numel() != outputGradient.Length)
        {
            throw new ArgumentException($"The output has {y.numel()} values but the output gradient {outputGradient.Length}.", nameof(outputGradient));
        }

        y.backward([tensor(outputGradient, y.shape, dtype: ScalarType.Float32).to_type(ScalarType.Float64)]);
        return new TorchVectorJacobian(ToArray(y), y.shape.ToArray(), ReadGradients(twin.parameters()), ToArray(x.grad!));
    }

    /// <summary>
    /// All parameters' current <c>.grad</c>, flat in <c>parameters()</c> order (zeros where none): those
    /// of the last optimizer step (the gradient references run on a float64 copy and leave these alone).
    /// </summary>
    public float[] ReadGradients() => ReadGradients(parameters);

    private float[] ReadGradients(IEnumerable<TorchSharp.Modules.Parameter> of)
    {
        using var scope = NewDisposeScope();
        var flat = new float[ParameterCount];
        var at = 0;
        foreach (var p in of)
        {
            var n = (int)p.numel();
            var g = p.grad;
            if (g is not null)
            {
                ToArray(g).CopyTo(flat, at);
            }

            at += n;
        }

        return flat;
    }

    /// <summary>
    /// <paramref name="steps"/> steps of <c>torch.optim.Adam(lr, betas=(beta1, beta2), eps,
    /// weight_decay)</c> on CrossEntropyLoss, the same batch every step (fresh optimizer state).
    /// </summary>
    public TorchTraining TrainAdam(float[] input, long[] inputShape, long[] targets, int steps = 3,
        double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
    {
        using var optimizer = optim.Adam(parameters, lr, beta1, beta2, eps, weightDecay);
        return Train(optimizer, input, inputShape, targets, steps);
    }

    /// <summary>
    /// <paramref name="steps"/> steps of <c>torch.optim.SGD(lr, momentum, dampening=0,
    /// weight_decay, nesterov=False)</c> on CrossEntropyLoss, the same batch every step.
    /// </summary>
    public TorchTraining TrainSgd(float[] input, long[] inputShape, long[] targets, int steps = 3,
        double lr = 0.01, double momentum = 0.9, double weightDecay = 0)
    {
        using var optimizer = optim.SGD(parameters, lr, momentum, dampening: 0, weight_decay: weightDecay);
        return Train(optimizer, input, inputShape, targets, steps);
    }

    public void Dispose() => model.Dispose();

    private TorchTraining Train(optim.Optimizer optimizer, float[] input, long[] inputShape, long[] targets, int steps)
    {
        var losses = new float[steps];
        var gradients = new float[steps][];
        for (var s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = CrossEntropy(model.call(Input(input, inputShape, requiresGrad: false)), targets);
            loss.backward();
            gradients[s] = ReadGradients();
            optimizer.step();
            losses[s] = loss.item<float>();
        }

        return new TorchTraining(GetParameters(), losses, gradients);
    }

    private static IEnumerable<Layer> SeedThen(int seed, IEnumerable<Layer> layers)
    {
        LibTorchBootstrap.EnsureInitialized();
        manual_seed(seed);
        return layers;
    }

    private static Tensor CrossEntropy(Tensor logits, long[] targets)
    {
        using var lossFn = nn.CrossEntropyLoss();
        return lossFn.forward(logits, tensor(targets, dtype: ScalarType.Int64));
    }

    /// <summary>A float64 copy of the model, same mode, holding the current parameters widened exactly.</summary>
    private nn.Module<Tensor, Tensor> Float64Twin()
    {
        var twin = Sequential(Layers);
        twin.to(ScalarType.Float64);
        twin.train(Training);
        using var noGrad = no_grad();
        foreach (var (to, from) in twin.parameters().Zip(parameters))
        {
            to.copy_(from);
        }

        return twin;
    }

    private static Tensor Input(float[] values, long[] shape, bool requiresGrad, ScalarType type = ScalarType.Float32)
    {
        var expected = shape.Aggregate(1L, (a, b) => a * b);
        if (expected != values.Length)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] needs {expected} values, got {values.Length}.");
        }

        return tensor(values, shape, dtype: ScalarType.Float32).to_type(type).requires_grad_(requiresGrad);
    }

    private static float[] ToArray(Tensor t) => t.detach().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
}
