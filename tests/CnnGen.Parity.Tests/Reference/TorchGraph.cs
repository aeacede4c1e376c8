using CnnGen.Parity.Tests.Native;
using CnnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using TorchModule = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace CnnGen.Parity.Tests.Reference;

/// <summary>
/// The forward function of a <see cref="TorchGraph"/>, written out in C# as one would write
/// <c>forward(self, x)</c> in PyTorch: <paramref name="module"/>(name, x) runs the child module
/// registered under that name.
/// </summary>
public delegate Tensor GraphForward(Func<string, Tensor, Tensor> module, Tensor input);

/// <summary>
/// A PyTorch model that is not a chain: named <c>torch.nn</c> children (registered in the given
/// order, so <c>named_parameters()</c> gives <c>t1.weight</c>, <c>t1.bias</c>, …) and an explicit
/// forward function (<see cref="GraphForward"/>) that wires them with <c>torch.cat</c>, <c>+</c>,
/// functional activations and so on. It is written independently of the CnnGen declaration under
/// test: nothing is derived from the attributes.
/// </summary>
/// <remarks>
/// Every flat array crossing the API is in a CnnGen network's <see cref="INetwork.Parameters"/>
/// layout, mapped <em>by state_dict name</em> (<see cref="CopyParametersFrom"/>): torch's
/// <c>conv1.weight</c> goes to the offset of CnnGen's <see cref="ParameterTensor"/> named
/// <c>conv1.weight</c>. As in <see cref="TorchReference"/>, forward passes and optimizer runs are
/// float32 and the gradient references run a float64 twin of the model (libtorch's float32
/// convolution input gradient is wrong on this host; see the README).
/// </remarks>
public sealed class TorchGraph : IDisposable
{
    private readonly (string Name, Func<TorchModule> Create)[] children;
    private readonly GraphForward forward;
    private readonly GraphModule model;
    private (string Name, int Offset, int Length)[] layout = [];
    private (string Name, int Offset, int Length)[] stateLayout = [];
    private string[] batchesTrackedNames = [];
    private int parameterCount;
    private int stateCount;

    /// <param name="children">Each child's name and a factory (called again for the float64 twin).</param>
    /// <param name="forward">The forward function.</param>
    public TorchGraph(IEnumerable<(string Name, Func<TorchModule> Create)> children, GraphForward forward)
    {
        LibTorchBootstrap.EnsureInitialized();
        this.children = children.ToArray();
        this.forward = forward;
        model = Build();
        model.train(false);
    }

    /// <summary>The model (eval mode unless <see cref="Training"/> is set).</summary>
    public TorchModule Model => model;

    /// <summary>train() / eval() mode of the whole model. Defaults to false (eval).</summary>
    public bool Training
    {
        get => model.training;
        set => model.train(value);
    }

    /// <summary><c>named_parameters()</c>: names and shapes, in <c>parameters()</c> order.</summary>
    public IReadOnlyList<(string Name, long[] Shape)> NamedParameterShapes =>
        model.named_parameters().Select(p => (p.name, p.parameter.shape.ToArray())).ToArray();

    /// <summary><c>named_buffers()</c> (running statistics, <c>num_batches_tracked</c>): names and shapes.</summary>
    public IReadOnlyList<(string Name, long[] Shape)> NamedBufferShapes =>
        model.named_buffers().Select(b => (b.name, b.buffer.shape.ToArray())).ToArray();

    /// <summary>
    /// Copies every parameter from <paramref name="network"/> by <c>state_dict</c> name and remembers the
    /// mapping for the flat arrays this class returns. Throws unless the two name sets are equal and each
    /// pair of shapes agrees.
    /// </summary>
    public void CopyParametersFrom(INetwork network)
    {
        var named = model.named_parameters().ToArray();
        var cnnGen = network.ParameterTensors.ToDictionary(t => t.Name);
        var missing = cnnGen.Keys.Except(named.Select(p => p.name)).ToArray();
        var extra = named.Select(p => p.name).Except(cnnGen.Keys).ToArray();
        if (missing.Length > 0 || extra.Length > 0)
        {
            throw new InvalidOperationException(
                $"state_dict names differ: only in CnnGen [{string.Join(", ", missing)}], only in torch [{string.Join(", ", extra)}].");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mapping = new List<(string, int, int)>();
        foreach (var (name, parameter) in named)
        {
            ParameterTensor target = cnnGen[name];
            long[] shape = parameter.shape;
            if (!shape.SequenceEqual(target.Shape.Select(d => (long)d)))
            {
                throw new InvalidOperationException(
                    $"{name}: torch shape ({string.Join(", ", shape)}), CnnGen ({string.Join(", ", target.Shape)}).");
            }

            float[] values = network.Parameters.Slice(target.Offset, target.Length).ToArray();
            parameter.copy_(tensor(values, shape, dtype: ScalarType.Float32));
            mapping.Add((name, target.Offset, target.Length));
        }

        layout = [.. mapping];
        parameterCount = network.ParameterCount;
        CopyStateFrom(network);
    }

    /// <summary>
    /// Copies the buffers by <c>state_dict</c> name: running statistics from <see cref="INetwork.State"/>
    /// (<see cref="INetwork.StateTensors"/>), <c>num_batches_tracked</c> from <see cref="INetwork.BatchesTracked"/>.
    /// Throws unless the name sets are equal and the shapes agree.
    /// </summary>
    private void CopyStateFrom(INetwork network)
    {
        var buffers = model.named_buffers().ToArray();
        var state = network.StateTensors.ToDictionary(t => t.Name);
        var tracked = network.BatchesTrackedNames.ToArray();
        var cnnGenNames = state.Keys.Concat(tracked).ToArray();
        var missing = cnnGenNames.Except(buffers.Select(b => b.name)).ToArray();
        var extra = buffers.Select(b => b.name).Except(cnnGenNames).ToArray();
        if (missing.Length > 0 || extra.Length > 0)
        {
            throw new InvalidOperationException(
                $"state_dict buffer names differ: only in CnnGen [{string.Join(", ", missing)}], only in torch [{string.Join(", ", extra)}].");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mapping = new List<(string, int, int)>();
        foreach (var (name, buffer) in buffers)
        {
            long[] shape = buffer.shape;
            int trackedIndex = Array.IndexOf(tracked, name);
            if (trackedIndex >= 0)
            {
                buffer.fill_(network.BatchesTracked[trackedIndex]);
                continue;
            }

            ParameterTensor target = state[name];
            if (!shape.SequenceEqual(target.Shape.Select(d => (long)d)))
            {
                throw new InvalidOperationException(
                    $"{name}: torch shape ({string.Join(", ", shape)}), CnnGen ({string.Join(", ", target.Shape)}).");
            }

            buffer.copy_(tensor(network.State.Slice(target.Offset, target.Length).ToArray(), shape, dtype: ScalarType.Float32));
            mapping.Add((name, target.Offset, target.Length));
        }

        stateLayout = [.. mapping];
        batchesTrackedNames = tracked;
        stateCount = network.State.Length;
    }

    /// <summary>The running statistics, flat, in the CnnGen <see cref="INetwork.State"/> layout.</summary>
    public float[] GetState()
    {
        using var scope = NewDisposeScope();
        var buffers = model.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        var flat = new float[stateCount];
        foreach (var (name, offset, length) in stateLayout)
        {
            float[] values = ToArray(buffers[name]);
            if (values.Length != length)
            {
                throw new InvalidOperationException($"{name}: {values.Length} values where {length} were expected.");
            }

            values.CopyTo(flat, offset);
        }

        return flat;
    }

    /// <summary>Each <c>num_batches_tracked</c>, in the CnnGen <see cref="INetwork.BatchesTracked"/> order.</summary>
    public long[] GetBatchesTracked()
    {
        var buffers = model.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        return batchesTrackedNames.Select(name => buffers[name].item<long>()).ToArray();
    }

    /// <summary>All parameters, flat, in the CnnGen layout given to <see cref="CopyParametersFrom"/>.</summary>
    public float[] GetParameters()
    {
        var parameters = ByName(model);
        return Flatten(layout.Select(entry => (Tensor?)parameters[entry.Name]));
    }

    /// <summary>Forward pass in the current mode, float32, without autograd.</summary>
    public TorchOutput Forward(float[] input, long[] inputShape)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var y = model.call(Input(input, inputShape, requiresGrad: false, ScalarType.Float32));
        return new TorchOutput(ToArray(y), y.shape.ToArray());
    }

    /// <summary>
    /// Float64 twin, current mode: forward, then the backward of <c>L = Σ output ⊙ outputGradient</c>.
    /// Parameter gradients in the CnnGen layout.
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
        return new TorchVectorJacobian(ToArray(y), y.shape.ToArray(), Gradients(twin), ToArray(x.grad!));
    }

    /// <summary>
    /// Float64 twin, current mode: forward, <c>CrossEntropyLoss</c> (mean) on the output flattened to
    /// (N, −1) as logits, backward.
    /// </summary>
    public TorchBackward CrossEntropyBackward(float[] input, long[] inputShape, long[] targets)
    {
        using var scope = NewDisposeScope();
        using var twin = Float64Twin();
        var x = Input(input, inputShape, requiresGrad: true, ScalarType.Float64);
        var logits = twin.call(x).flatten(1);
        var loss = CrossEntropy(logits, targets);
        loss.backward();
        return new TorchBackward((float)loss.item<double>(), ToArray(logits), Gradients(twin), ToArray(x.grad!));
    }

    /// <summary>
    /// <paramref name="steps"/> steps of <c>torch.optim.Adam(lr, betas, eps)</c> (float32 parameters, fresh
    /// optimizer) on CrossEntropyLoss of the flattened output, the same batch every step, in the current
    /// mode. Parameters and gradients in the CnnGen layout.
    /// </summary>
    /// <remarks>
    /// Each step's gradient comes from the float64 twin at the current parameters, rounded to float32
    /// into <c>.grad</c> before <c>optimizer.step()</c>: libtorch's own float32 backward is wrong here
    /// (a convolution's input gradient, the README), and three Adam steps carry that error into every
    /// parameter upstream of it. The float32 forward still runs every step (the loss, and BatchNorm's
    /// running statistics). What float32 autograd would have given is returned in
    /// <paramref name="float32Autograd"/>, for the record.
    /// </remarks>
    public TorchTraining TrainAdam(float[] input, long[] inputShape, long[] targets, out IReadOnlyList<float[]> float32Autograd, out IReadOnlyList<float[]> parametersAfterStep, int steps = 3, double lr = 1e-3)
    {
        using var optimizer = optim.Adam(model.parameters(), lr);
        var losses = new float[steps];
        var gradients = new float[steps][];
        var autograd = new float[steps][];
        var after = new float[steps][];
        for (var s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = CrossEntropy(model.call(Input(input, inputShape, requiresGrad: false, ScalarType.Float32)).flatten(1), targets);
            loss.backward();
            autograd[s] = Gradients(model);
            losses[s] = loss.item<float>();

            using var twin = Float64Twin();
            CrossEntropy(twin.call(Input(input, inputShape, requiresGrad: false, ScalarType.Float64)).flatten(1), targets).backward();
            gradients[s] = Gradients(twin);
            var twinParameters = ByName(twin);
            using (no_grad())
            {
                foreach (var (name, parameter) in model.named_parameters())
                {
                    parameter.grad!.copy_(twinParameters[name].grad!);
                }
            }

            optimizer.step();
            after[s] = GetParameters();
        }

        float32Autograd = autograd;
        parametersAfterStep = after;
        return new TorchTraining(GetParameters(), losses, gradients);
    }

    public void Dispose() => model.Dispose();

    private GraphModule Build() => new(children.Select(c => (c.Name, c.Create())), forward);

    /// <summary>A float64 copy in the same mode, parameters and buffers widened exactly.</summary>
    private GraphModule Float64Twin()
    {
        var twin = Build();
        twin.to(ScalarType.Float64);
        twin.train(Training);
        using var noGrad = no_grad();
        var mine = ByName(model);
        foreach (var (name, parameter) in twin.named_parameters())
        {
            parameter.copy_(mine[name]);
        }

        var myBuffers = model.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, buffer) in twin.named_buffers())
        {
            buffer.copy_(myBuffers[name]);
        }

        return twin;
    }

    /// <summary><paramref name="of"/>'s parameter gradients in the CnnGen layout (zeros where none).</summary>
    private float[] Gradients(TorchModule of)
    {
        var parameters = ByName(of);
        return Flatten(layout.Select(entry => parameters[entry.Name].grad));
    }

    private static Dictionary<string, TorchSharp.Modules.Parameter> ByName(TorchModule of) =>
        of.named_parameters().ToDictionary(p => p.name, p => p.parameter);

    /// <summary>Tensors in <see cref="layout"/> order into one array in the CnnGen layout (zeros for null).</summary>
    private float[] Flatten(IEnumerable<Tensor?> tensors)
    {
        using var scope = NewDisposeScope();
        var flat = new float[parameterCount];
        foreach (var (t, (_, offset, length)) in tensors.Zip(layout))
        {
            if (t is not null)
            {
                float[] values = ToArray(t);
                if (values.Length != length)
                {
                    throw new InvalidOperationException($"{values.Length} values where {length} were expected.");
                }

                values.CopyTo(flat, offset);
            }
        }

        return flat;
    }

    private static Tensor CrossEntropy(Tensor logits, long[] targets)
    {
        using var lossFn = nn.CrossEntropyLoss();
        return lossFn.forward(logits, tensor(targets, dtype: ScalarType.Int64));
    }

    private static Tensor Input(float[] values, long[] shape, bool requiresGrad, ScalarType type)
    {
        var expected = shape.Aggregate(1L, (a, b) => a * b);
        if (expected != values.Length)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] needs {expected} values, got {values.Length}.");
        }

        return tensor(values, shape, dtype: ScalarType.Float32).to_type(type).requires_grad_(requiresGrad);
    }

    private static float[] ToArray(Tensor t) => t.detach().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

    private sealed class GraphModule : TorchModule
    {
        private readonly Dictionary<string, TorchModule> byName = [];
        private readonly GraphForward function;

        public GraphModule(IEnumerable<(string Name, TorchModule Module)> children, GraphForward function)
            : base("Graph")
        {
            foreach (var (name, module) in children)
            {
                register_module(name, module);
                byName.Add(name, module);
            }

            this.function = function;
        }

        public override Tensor forward(Tensor input) => function((name, x) => byName[name].call(x), input);
    }
}
