using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace CnnGen.Runtime.Weights;

/// <summary>Writes the format described on <see cref="WeightFile"/>.</summary>
internal static class WeightFileWriter
{
    /// <summary>Magic, version, tensor count, parameter count, table length.</summary>
    public const int FixedHeaderLength = 24;

    private const int PayloadChunkFloats = 1 << 14;

    public static void Write(INetwork network, Stream stream)
    {
        IReadOnlyList<ParameterTensor> tensors = network.ParameterTensors;
        CheckNetwork(network, tensors);
        byte[] header = EncodeHeader(tensors, network.ParameterCount);
        uint crc = Crc32.Append(Crc32.Initial, header);
        stream.Write(header);

        // The payload goes out in chunks so that a large network needs no second copy of its parameters.
        ReadOnlySpan<float> parameters = network.Parameters;
        var chunk = new byte[sizeof(float) * Math.Min(PayloadChunkFloats, parameters.Length)];
        for (int start = 0; start < parameters.Length; start += PayloadChunkFloats)
        {
            ReadOnlySpan<float> floats = parameters.Slice(start, Math.Min(PayloadChunkFloats, parameters.Length - start));
            Span<byte> bytes = chunk.AsSpan(0, sizeof(float) * floats.Length);
            EncodeLittleEndian(floats, bytes);
            crc = Crc32.Append(crc, bytes);
            stream.Write(bytes);
        }

        Span<byte> checksum = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, Crc32.Finish(crc));
        stream.Write(checksum);
    }

    /// <summary>The network's own table must be sound before it describes a file.</summary>
    public static void CheckNetwork(INetwork network, IReadOnlyList<ParameterTensor> tensors)
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

    private static byte[] EncodeHeader(IReadOnlyList<ParameterTensor> tensors, int parameterCount)
    {
        var names = new byte[tensors.Count][];
        int tableLength = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            names[i] = Encoding.UTF8.GetBytes(tensors[i].Name);

            // name length, name, rank, sizes, offset
            tableLength = checked(tableLength + 4 + names[i].Length + 4 + 4 * tensors[i].Shape.Count + 4);
        }

        tableLength = checked((tableLength + 7) & ~7); // the payload starts 8-byte aligned
        var header = new byte[checked(FixedHeaderLength + tableLength)];
        var writer = new SpanWriter(header);
        writer.Bytes(WeightFile.Magic);
        writer.Int32(WeightFile.FormatVersion);
        writer.Int32(tensors.Count);
        writer.Int32(parameterCount);
        writer.Int32(tableLength);
        for (int i = 0; i < tensors.Count; i++)
        {
            writer.Int32(names[i].Length);
            writer.Bytes(names[i]);
            writer.Int32(tensors[i].Shape.Count);
            foreach (int size in tensors[i].Shape)
            {
                writer.Int32(size);
            }

            writer.Int32(tensors[i].Offset);
        }

        return header; // the padding is already zero
    }

    private static void EncodeLittleEndian(ReadOnlySpan<float> floats, Span<byte> bytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(floats).CopyTo(bytes);
            return;
        }

        for (int i = 0; i < floats.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes[(sizeof(float) * i)..], floats[i]);
        }
    }

    private ref struct SpanWriter(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;
        private int _position;

        public void Int32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_destination[_position..], value);
            _position += sizeof(int);
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(_destination[_position..]);
            _position += value.Length;
        }
    }
}
