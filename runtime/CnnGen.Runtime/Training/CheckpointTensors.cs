namespace CnnGen.Runtime.Training;

/// <summary>
/// The tensors of a checkpoint as one named float buffer, so that the safetensors writer and reader
/// (which check names, shapes, lengths and finiteness) serve checkpoints as they serve networks:
/// the network's parameters under their own names (<c>conv1.weight</c>), then each optimizer state
/// buffer per parameter tensor (<c>optimizer.exp_avg.conv1.weight</c>, same shape), and the network's
/// non-trainable state (<see cref="INetwork.State"/>: BatchNorm's running statistics, and the
/// <c>num_batches_tracked</c> counters) under its <c>state_dict</c> names, as weight files write it.
/// </summary>
/// <remarks>Only the members the weight readers and writers use work; the rest throw.</remarks>
internal sealed class CheckpointTensors : INetwork
{
    private const string OptimizerPrefix = "optimizer.";

    private readonly float[] _values;
    private readonly float[] _state;
    private readonly long[] _counters;
    private readonly KeyValuePair<string, Memory<float>>[] _optimizerBuffers;
    private readonly int _parameterCount;

    private CheckpointTensors(INetwork network, IReadOnlyList<ParameterTensor> tensors, KeyValuePair<string, Memory<float>>[] optimizerBuffers, int parameterCount)
    {
        ParameterTensors = tensors;
        StateTensors = network.StateTensors;
        BatchesTrackedNames = network.BatchesTrackedNames;
        _state = new float[network.State.Length];
        _counters = new long[network.BatchesTracked.Length];
        _optimizerBuffers = optimizerBuffers;
        _parameterCount = parameterCount;
        long length = parameterCount * (1L + optimizerBuffers.Length);
        if (length > Array.MaxLength)
        {
            throw new NotSupportedException($"{parameterCount} parameters and {optimizerBuffers.Length} optimizer state buffers do not fit one checkpoint buffer.");
        }

        _values = new float[length];
    }

    /// <summary>The layout for <paramref name="network"/> trained by <paramref name="optimizer"/>.</summary>
    /// <exception cref="NotSupportedException">The optimizer does not expose its state.</exception>
    public static CheckpointTensors For(INetwork network, IOptimizer optimizer)
    {
        KeyValuePair<string, Memory<float>>[] buffers = [.. optimizer.StateBuffers];
        int parameterCount = network.ParameterCount;
        var tensors = new List<ParameterTensor>(network.ParameterTensors);
        for (int k = 0; k < buffers.Length; k++)
        {
            if (buffers[k].Value.Length != parameterCount)
            {
                throw new InvalidOperationException(
                    $"{optimizer.GetType().Name}'s state buffer '{buffers[k].Key}' has {buffers[k].Value.Length} floats, not the {parameterCount} of the parameters.");
            }

            tensors.AddRange(network.ParameterTensors.Select(tensor =>
                new ParameterTensor($"{OptimizerPrefix}{buffers[k].Key}.{tensor.Name}", ((k + 1) * parameterCount) + tensor.Offset, tensor.Length, tensor.Shape)));
        }

        return new CheckpointTensors(network, tensors, buffers, parameterCount);
    }

    /// <summary>Copies the network's parameters and state and the optimizer's state in.</summary>
    public void Gather(INetwork network)
    {
        network.Parameters.CopyTo(_values);
        network.State.CopyTo(_state);
        network.BatchesTracked.CopyTo(_counters);
        for (int k = 0; k < _optimizerBuffers.Length; k++)
        {
            _optimizerBuffers[k].Value.Span.CopyTo(_values.AsSpan((k + 1) * _parameterCount, _parameterCount));
        }
    }

    /// <summary>Copies the parameters, the network's state and the optimizer's state out, into the network and the optimizer's own buffers.</summary>
    public void Scatter(INetwork network)
    {
        _values.AsSpan(0, _parameterCount).CopyTo(network.Parameters);
        _state.CopyTo(network.State);
        _counters.CopyTo(network.BatchesTracked);
        for (int k = 0; k < _optimizerBuffers.Length; k++)
        {
            _values.AsSpan((k + 1) * _parameterCount, _parameterCount).CopyTo(_optimizerBuffers[k].Value.Span);
        }
    }

    /// <summary>The parameters, then each optimizer state buffer.</summary>
    public ReadOnlySpan<float> Values => _values;

    public Span<float> State => _state;

    public IReadOnlyList<ParameterTensor> StateTensors { get; }

    public Span<long> BatchesTracked => _counters;

    public IReadOnlyList<string> BatchesTrackedNames { get; }

    public int ParameterCount => _values.Length;

    public Span<float> Parameters => _values;

    public IReadOnlyList<ParameterTensor> ParameterTensors { get; }

    public int InputLength => throw NotANetwork();

    public int OutputLength => throw NotANetwork();

    public Span<float> Gradients => throw NotANetwork();

    public bool IsTraining { get => throw NotANetwork(); set => throw NotANetwork(); }

    public RandomSource Random => throw NotANetwork();

    public void Forward(ReadOnlySpan<float> input, Span<float> output) => throw NotANetwork();

    public void ForwardBatch(ReadOnlySpan<float> input, Span<float> output, int batchSize) => throw NotANetwork();

    public void BackwardBatch(ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batchSize) => throw NotANetwork();

    public void ZeroGradients() => throw NotANetwork();

    public void ResetParameters(int seed) => throw NotANetwork();

    private static NotSupportedException NotANetwork() => new("A checkpoint's tensors are not a network.");
}
