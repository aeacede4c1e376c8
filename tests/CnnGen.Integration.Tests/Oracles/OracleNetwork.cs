namespace CnnGen.Integration.Tests.Oracles;

/// <summary>
/// A sequential network of oracle layers, evaluated in double precision. It owns its own idea of the
/// parameter layout (each layer's tensors in order, layer after layer), so the generated layout is
/// checked rather than assumed.
/// </summary>
internal sealed class OracleNetwork
{
    private readonly OracleLayer[] _layers;
    private readonly Shape[][] _inputShapes; // the input shapes of each layer, one per operand
    private readonly int[][] _sources; // per layer, the layers whose outputs it reads (-1: the network input)
    private readonly int[] _parameterOffsets; // where each layer's parameters start

    /// <summary>
    /// The layers in declaration order. A sequential network is just its layers; a graph names tensors with
    /// <see cref="NamedOracle"/> and reads them with <see cref="FromOracle"/> and <see cref="MergeOracle"/>s,
    /// resolved here independently of the generator (the input is named <c>input</c>).
    /// </summary>
    public OracleNetwork(Shape input, params OracleLayer[] layers)
    {
        _layers = layers;
        _inputShapes = new Shape[layers.Length][];
        _sources = new int[layers.Length][];
        _parameterOffsets = new int[layers.Length];
        var outputs = new Shape[layers.Length];
        var names = new Dictionary<string, int> { ["input"] = -1 };
        Shape ShapeOf(int source) => source < 0 ? input : outputs[source];
        int current = -1, offset = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            OracleLayer layer = layers[i] is NamedOracle named ? named.Layer : layers[i];
            int[] sources = layer switch
            {
                FromOracle from => [names[from.Source]],
                MergeOracle merge when merge.Names.Any(name => names.TryGetValue(name, out int s) && s == current) => merge.Names.Select(name => names[name]).ToArray(),
                MergeOracle merge => merge.Names.Select(name => names[name]).Prepend(current).ToArray(),
                _ => [current],
            };
            _sources[i] = sources;
            _inputShapes[i] = sources.Select(ShapeOf).ToArray();
            _parameterOffsets[i] = offset;
            offset += layers[i].ParameterCount(_inputShapes[i][0]);
            outputs[i] = layer is MergeOracle m ? m.OutputShape(_inputShapes[i]) : layer.OutputShape(_inputShapes[i][0]);
            if (layer is FromOracle)
            {
                current = sources[0];
                continue;
            }

            if (layers[i] is NamedOracle { Name: var name })
            {
                names[name] = i;
            }

            current = i;
        }

        InputShape = input;
        OutputShape = outputs[^1];
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
            foreach (int[] shape in _layers[i].ParameterShapes(_inputShapes[i][0]))
            {
                yield return (offset, shape);
                offset += shape.Aggregate(1, (a, b) => a * b);
            }
        }
    }

    /// <summary>One sample through every layer.</summary>
    public double[] Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> sample)
    {
        double[] input = sample.ToArray();
        var values = new double[_layers.Length][];
        for (int i = 0; i < _layers.Length; i++)
        {
            double[][] inputs = _sources[i].Select(source => source < 0 ? input : values[source]).ToArray();
            OracleLayer layer = _layers[i] is NamedOracle named ? named.Layer : _layers[i];
            values[i] = layer is MergeOracle merge
                ? merge.Forward(_inputShapes[i], inputs)
                : layer.Forward(_inputShapes[i][0], inputs[0], parameters[_parameterOffsets[i]..]);
        }

        return values[^1];
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
