namespace CnnGen.Runtime.Tests.Weights;

/// <summary>
/// An <see cref="INetwork"/> that is only a parameter buffer with a tensor table, for weight-file tests
/// that need names, shapes or offsets no real layer has. Running it is not supported.
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
