using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace CnnGen.Runtime.Weights;

/// <summary>
/// A weight file that has passed every check of its own (magic, version, length, CRC-32, table):
/// its tensors and its payload, ready to be matched against a network and copied into it.
/// </summary>
internal sealed class WeightFileContent(string source, ParameterTensor[] tensors, int parameterCount, ReadOnlyMemory<byte> payload)
{
    /// <summary>
    /// Checks every tensor of <paramref name="network"/> against the file by name and shape, then copies
    /// them by name. Throws before writing anything if any tensor differs.
    /// </summary>
    public void CopyInto(INetwork network)
    {
        IReadOnlyList<ParameterTensor> networkTensors = network.ParameterTensors;
        WeightFileWriter.CheckNetwork(network, networkTensors);
        Dictionary<string, ParameterTensor> fileTensors = tensors.ToDictionary(tensor => tensor.Name, StringComparer.Ordinal);
        List<string> mismatches = FindMismatches(network, networkTensors, fileTensors);
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

        Span<float> parameters = network.Parameters;
        foreach (ParameterTensor target in networkTensors)
        {
            ParameterTensor stored = fileTensors[target.Name];
            DecodeLittleEndian(
                payload.Span.Slice(sizeof(float) * stored.Offset, sizeof(float) * stored.Length),
                parameters.Slice(target.Offset, target.Length));
        }
    }

    private List<string> FindMismatches(
        INetwork network, IReadOnlyList<ParameterTensor> networkTensors, Dictionary<string, ParameterTensor> fileTensors)
    {
        var mismatches = new List<string>();
        var networkNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterTensor expected in networkTensors)
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

        if (mismatches.Count == 0 && parameterCount != network.ParameterCount)
        {
            // Every tensor fits, yet the totals differ: parameters outside any named tensor.
            mismatches.Add($"parameter count: expected {network.ParameterCount}, file has {parameterCount}");
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
