namespace CnnGen.Integration.Tests.Oracles;

/// <summary>
/// A sequential network of oracle layers, evaluated in double precision. It owns its own idea of the
/// parameter layout (each layer's tensors in order, layer after layer), so the generated layout is
/// checked rather than assumed.
/// </summary>
internal sealed class OracleNetwork
{
    private readonly OracleLayer[] _layers;
    private readonly Shape[] _inputShapes; // the input shape of each layer
    private readonly int[] _parameterOffsets; // where each layer's parameters start

    public OracleNetwork(Shape input, params OracleLayer[] layers)
    {
        _layers = layers;
        _inputShapes = new Shape[layers.Length];
        _parameterOffsets = new int[layers.Length];
        Shape current = input;
        int offset = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            _inputShapes[i] = current;
            _parameterOffsets[i] = offset;
            offset += layers[i].ParameterCount(current);
            current = layers[i].OutputShape(current);
        }

        InputShape = input;
        OutputShape = current;
        ParameterCount = offset;
    }

    public Shape InputShape { get; }

    public Shape OutputShape { get; }

    public int ParameterCount { get; }

    /// <summary>Every parameter tensor in PyTorch order: offset into the flat buffer and shape.</summary>
    public IEnumerable<(int Offset, int[] Shape)> ParameterTensors()
    {
        for (int i = 0; i < _layers.Length; i++)
        {
            int offset = _parameterOffsets[i];
            foreach (int[] shape in _layers[i].ParameterShapes(_inputShapes[i]))
            {
                yield return (offset, shape);
                offset += shape.Aggregate(1, (a, b) => a * b);
            }
        }
    }

    /// <summary>One sample through every layer.</summary>
    public double[] Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> sample)
    {
        double[] values = sample.ToArray();
        for (int i = 0; i < _layers.Length; i++)
        {
            values = _layers[i].Forward(_inputShapes[i], values, parameters[_parameterOffsets[i]..]);
        }

        return values;
    }

    /// <summary><paramref name="batchSize"/> samples laid out one after another.</summary>
    public double[] ForwardBatch(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, int batchSize)
    {
        var outputs = new double[batchSize * OutputShape.Size];
        for (int n = 0; n < batchSize; n++)
        {
            Forward(parameters, inputs.Slice(n * InputShape.Size, InputShape.Size)).CopyTo(outputs, n * OutputShape.Size);
        }

        return outputs;
    }

    /// <summary>The test loss Σ output · weights over the batch, whose gradient with respect to the output is the weights.</summary>
    public double Loss(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, int batchSize, ReadOnlySpan<double> outputWeights)
    {
        double[] outputs = ForwardBatch(parameters, inputs, batchSize);
        double loss = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            loss += outputs[i] * outputWeights[i];
        }

        return loss;
    }
}
