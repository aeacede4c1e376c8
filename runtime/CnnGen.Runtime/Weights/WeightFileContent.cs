using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace CnnGen.Runtime.Weights;

/// <summary>
/// A weight file that has passed every check of its own (magic, version, length, CRC-32, table): its float
/// tensors (parameters, then state, offsets into <paramref name="floats"/>), its counters, ready to be matched
/// against a network's <see cref="StateDict"/> and copied into it.
/// </summary>
internal sealed class WeightFileContent(
    string source,
    int version,
    ParameterTensor[] tensors,
    int parameterCount,
    int stateCount,
    string[] counterNames,
    long[] counters,
    ReadOnlyMemory<byte> floats)
{
    /// <summary>
    /// Checks every tensor and counter of <paramref name="network"/>'s state_dict against the file by name and
    /// shape, then copies them by name. Throws before writing anything if any differs. A version-1 file holds
    /// parameters only: they are checked and copied, and the state is reset (<see cref="INetwork.ResetState"/>).
    /// </summary>
    public void CopyInto(INetwork network)
    {
        var stateDict = StateDict.Of(network);
        bool withState = version > 1;
        IReadOnlyList<ParameterTensor> expected = withState
            ? stateDict.Floats
            : [.. stateDict.Floats.Where(tensor => tensor.Offset < network.ParameterCount)];
        Dictionary<string, ParameterTensor> fileTensors = tensors.ToDictionary(tensor => tensor.Name, StringComparer.Ordinal);
        List<string> mismatches = FindMismatches(network, stateDict, expected, fileTensors, withState);
        if (mismatches.Count > 0)
        {
            var message = new StringBuilder()
                .Append($"{source} does not fit {network.GetType().Name}: ")
                .Append(mismatches.Count == 1 ? "1 mismatch" : $"{mismatches.Count} mismatches")
                .Append(" (tensor: expected shape in the network, actual shape in the file):");
            foreach (string mismatch in mismatches)
            {
                message.Append("\n  ").Append(mismatch);
            }

            throw new InvalidDataException(message.ToString());
        }

        var staged = new float[stateDict.FloatCount];
        foreach (ParameterTensor target in expected)
        {
            ParameterTensor stored = fileTensors[target.Name];
            DecodeLittleEndian(
                floats.Span.Slice(sizeof(float) * stored.Offset, sizeof(float) * stored.Length),
                staged.AsSpan(target.Offset, target.Length));
        }

        var counts = new long[stateDict.Counters.Count];
        if (withState)
        {
            for (int i = 0; i < counts.Length; i++)
            {
                counts[i] = counters[Array.IndexOf(counterNames, stateDict.Counters[i])];
            }
        }
        else
        {
            // Nothing can fail from here: the state PyTorch starts from, then the parameters over it.
            network.ResetState();
            network.State.CopyTo(staged.AsSpan(network.ParameterCount));
            network.BatchesTracked.CopyTo(counts);
        }

        stateDict.Store(staged, counts);
    }

    private List<string> FindMismatches(
        INetwork network, StateDict stateDict, IReadOnlyList<ParameterTensor> expectedTensors, Dictionary<string, ParameterTensor> fileTensors, bool withState)
    {
        var mismatches = new List<string>();
        var networkNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterTensor expected in expectedTensors)
        {
            networkNames.Add(expected.Name);
            if (!fileTensors.TryGetValue(expected.Name, out ParameterTensor? actual))
            {
                mismatches.Add($"{expected.Name}: expected {TensorTable.Format(expected.Shape)}, missing from the file");
            }
            else if (!expected.Shape.SequenceEqual(actual.Shape))
            {
                mismatches.Add($"{expected.Name}: expected {TensorTable.Format(expected.Shape)}, file has {TensorTable.Format(actual.Shape)}");
            }
        }

        foreach (ParameterTensor actual in tensors.Where(tensor => !networkNames.Contains(tensor.Name)))
        {
            mismatches.Add($"{actual.Name}: not in the network, file has {TensorTable.Format(actual.Shape)}");
        }

        if (withState)
        {
            mismatches.AddRange(stateDict.Counters.Except(counterNames, StringComparer.Ordinal).Select(name => $"{name}: expected an int64 counter, missing from the file"));
            mismatches.AddRange(counterNames.Except(stateDict.Counters, StringComparer.Ordinal).Select(name => $"{name}: not in the network, file has an int64 counter"));
        }

        if (mismatches.Count == 0 && parameterCount != network.ParameterCount)
        {
            // Every tensor fits, yet the totals differ: floats outside any named tensor.
            mismatches.Add($"parameter count: expected {network.ParameterCount}, file has {parameterCount}");
        }

        if (mismatches.Count == 0 && withState && parameterCount + stateCount != stateDict.FloatCount)
        {
            mismatches.Add($"state count: expected {stateDict.FloatCount - network.ParameterCount}, file has {stateCount}");
        }

        return mismatches;
    }

    private static void DecodeLittleEndian(ReadOnlySpan<byte> bytes, Span<float> floats)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(floats);
            return;
        }

        for (int i = 0; i < floats.Length; i++)
        {
            floats[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(sizeof(float) * i)..]);
        }
    }
}
