namespace CnnGen.Runtime.Weights;

/// <summary>
/// What a network's <c>state_dict</c> holds, as weight files see it: the float tensors — every parameter
/// (offsets into <see cref="INetwork.Parameters"/>) then every state tensor such as BatchNorm's running
/// statistics (offsets shifted past the parameters, as if <see cref="INetwork.State"/> followed them) — and
/// the 64-bit counters (<c>num_batches_tracked</c>), which PyTorch stores as I64 scalars.
/// </summary>
internal sealed class StateDict
{
    private StateDict(INetwork network, IReadOnlyList<ParameterTensor> floats, int floatCount)
    {
        Network = network;
        Floats = floats;
        FloatCount = floatCount;
        Counters = network.BatchesTrackedNames;
    }

    public INetwork Network { get; }

    /// <summary>Parameters then state, offsets into their concatenation.</summary>
    public IReadOnlyList<ParameterTensor> Floats { get; }

    /// <summary><see cref="INetwork.ParameterCount"/> plus the length of <see cref="INetwork.State"/>.</summary>
    public int FloatCount { get; }

    /// <summary>The names of <see cref="INetwork.BatchesTracked"/>, in its order.</summary>
    public IReadOnlyList<string> Counters { get; }

    /// <summary>The network's tables, checked to be sound (a generated network's always are).</summary>
    public static StateDict Of(INetwork network)
    {
        IReadOnlyList<ParameterTensor> parameters = network.ParameterTensors;
        CheckParameters(network, parameters);
        IReadOnlyList<ParameterTensor> state = network.StateTensors ?? [];
        int stateLength = network.State.Length;
        if (TensorTable.FindProblem(state, stateLength) is { } problem)
        {
            throw new ArgumentException($"{network.GetType().Name}.StateTensors is inconsistent: {problem}", nameof(network));
        }

        if (network.BatchesTracked.Length != network.BatchesTrackedNames.Count)
        {
            throw new ArgumentException(
                $"{network.GetType().Name}: BatchesTracked holds {network.BatchesTracked.Length} counts but BatchesTrackedNames has {network.BatchesTrackedNames.Count} names.", nameof(network));
        }

        int count = network.ParameterCount;
        var floats = new List<ParameterTensor>(parameters.Count + state.Count);
        floats.AddRange(parameters);
        floats.AddRange(state.Select(tensor => tensor with { Offset = count + tensor.Offset }));
        return new StateDict(network, floats, count + stateLength);
    }

    /// <summary>Every named tensor, floats then counters (a counter as a scalar placeholder), for name maps.</summary>
    public IReadOnlyList<ParameterTensor> Named() => [.. Floats, .. Counters.Select(name => new ParameterTensor(name, 0, 1, []))];

    /// <summary>The float values at <see cref="Floats"/>' offsets: a parameter's, or a state tensor's past the parameters.</summary>
    public ReadOnlySpan<float> Values(ParameterTensor tensor) =>
        tensor.Offset < Network.ParameterCount
            ? Network.Parameters.Slice(tensor.Offset, tensor.Length)
            : Network.State.Slice(tensor.Offset - Network.ParameterCount, tensor.Length);

    /// <summary>Copies a staged load (laid out as <see cref="Floats"/>) and the counters into the network.</summary>
    public void Store(ReadOnlySpan<float> staged, ReadOnlySpan<long> counters)
    {
        int parameters = Network.ParameterCount;
        foreach (ParameterTensor tensor in Floats)
        {
            Span<float> destination = tensor.Offset < parameters
                ? Network.Parameters.Slice(tensor.Offset, tensor.Length)
                : Network.State.Slice(tensor.Offset - parameters, tensor.Length);
            staged.Slice(tensor.Offset, tensor.Length).CopyTo(destination);
        }

        counters.CopyTo(Network.BatchesTracked);
    }

    /// <summary>The parameters' own table must be sound before it describes a file.</summary>
    private static void CheckParameters(INetwork network, IReadOnlyList<ParameterTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors, "network.ParameterTensors");
        if (network.Parameters.Length != network.ParameterCount)
        {
            throw new ArgumentException(
                $"{network.GetType().Name}: Parameters holds {network.Parameters.Length} floats but ParameterCount is {network.ParameterCount}.",
                nameof(network));
        }

        if (TensorTable.FindProblem(tensors, network.ParameterCount) is { } problem)
        {
            throw new ArgumentException($"{network.GetType().Name}.ParameterTensors is inconsistent: {problem}", nameof(network));
        }
    }
}
