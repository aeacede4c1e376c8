namespace CnnGen.Runtime.Tests.Weights;

/// <summary>
/// An <see cref="INetwork"/> that is only a parameter buffer with a tensor table (and, if asked, BatchNorm-like
/// state), for weight-file tests that need names, shapes or offsets no real layer has. Running it is not supported.
/// </summary>
internal sealed class TensorTableNetwork : INetwork
{
    private readonly float[] _parameters;
    private readonly float[] _gradients;

    /// <summary>Tensors laid out one after another in the given order: ("a", [2, 3]), ("b", [3]) …</summary>
    public TensorTableNetwork(params (string Name, int[] Shape)[] tensors)
    {
        var table = new List<ParameterTensor>();
        int offset = 0;
        foreach ((string name, int[] shape) in tensors)
        {
            int length = shape.Aggregate(1, (product, size) => product * size);
            table.Add(new ParameterTensor(name, offset, length, shape));
            offset += length;
        }

        ParameterTensors = table;
        _parameters = new float[offset];
        _gradients = new float[offset];
        ResetParameters(seed: 1);
    }

    /// <summary>A network with exactly <paramref name="tensors"/> over <paramref name="parameterCount"/> floats, consistent or not.</summary>
    public TensorTableNetwork(int parameterCount, params ParameterTensor[] tensors)
    {
        ParameterTensors = tensors;
        _parameters = new float[parameterCount];
        _gradients = new float[parameterCount];
        ResetParameters(seed: 1);
    }

    /// <summary>
    /// A BatchNorm-like network: parameters <c>{name}.weight</c> and <c>{name}.bias</c> of <paramref name="channels"/>,
    /// state <c>{name}.running_mean</c> (starting at 0) and <c>{name}.running_var</c> (at 1), counter
    /// <c>{name}.num_batches_tracked</c> (at 0), for each name.
    /// </summary>
    public static TensorTableNetwork WithBatchNorm(int channels, params string[] names)
    {
        var network = new TensorTableNetwork([.. names.SelectMany(name => new[] { ($"{name}.weight", new[] { channels }), ($"{name}.bias", new[] { channels }) })]);
        network.StateTensors = [.. names.SelectMany((name, i) => new[]
        {
            new ParameterTensor($"{name}.running_mean", 2 * i * channels, channels, [channels]),
            new ParameterTensor($"{name}.running_var", ((2 * i) + 1) * channels, channels, [channels]),
        })];
        network.BatchesTrackedNames = [.. names.Select(name => $"{name}.num_batches_tracked")];
        network._state = new float[2 * names.Length * channels];
        network._counters = new long[names.Length];
        network.ResetState();
        return network;
    }

    private float[] _state = [];
    private long[] _counters = [];

    public Span<float> State => _state;

    public IReadOnlyList<ParameterTensor> StateTensors { get; private set; } = [];

    public Span<long> BatchesTracked => _counters;

    public IReadOnlyList<string> BatchesTrackedNames { get; private set; } = [];

    /// <summary>Running means 0, running variances 1, counts 0.</summary>
    public void ResetState()
    {
        foreach (ParameterTensor tensor in StateTensors)
        {
            _state.AsSpan(tensor.Offset, tensor.Length).Fill(tensor.Name.EndsWith(".running_var", StringComparison.Ordinal) ? 1 : 0);
        }

        Array.Clear(_counters);
    }

    public int InputLength => 1;

    public int OutputLength => 1;

    public int ParameterCount => _parameters.Length;

    public Span<float> Parameters => _parameters;

    public IReadOnlyList<ParameterTensor> ParameterTensors { get; }

    public Span<float> Gradients => _gradients;

    public bool IsTraining { get; set; }

    public RandomSource Random { get; } = new(0);

    public void Forward(ReadOnlySpan<float> input, Span<float> output) => throw new NotSupportedException();

    public void ForwardBatch(ReadOnlySpan<float> input, Span<float> output, int batchSize) => throw new NotSupportedException();

    public void BackwardBatch(ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batchSize) => throw new NotSupportedException();

    public void ZeroGradients() => Array.Clear(_gradients);

    public void ResetParameters(int seed) => new RandomSource((ulong)seed).FillUniform(_parameters, -1f, 1f);
}
