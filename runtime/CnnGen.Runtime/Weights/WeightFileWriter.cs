using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace CnnGen.Runtime.Weights;

/// <summary>Writes the format described on <see cref="WeightFile"/>.</summary>
internal static class WeightFileWriter
{
    /// <summary>Version 2: magic, version, float tensor count, parameter count, state count, counter count, table length.</summary>
    public const int FixedHeaderLength = 32;

    /// <summary>Version 1: magic, version, tensor count, parameter count, table length.</summary>
    public const int FixedHeaderLengthVersion1 = 24;

    private const int PayloadChunkFloats = 1 << 14;

    public static void Write(INetwork network, Stream stream)
    {
        var stateDict = StateDict.Of(network);
        byte[] header = EncodeHeader(stateDict);
        uint crc = Crc32.Append(Crc32.Initial, header);
        stream.Write(header);

        Span<byte> counter = stackalloc byte[sizeof(long)];
        foreach (long count in network.BatchesTracked)
        {
            BinaryPrimitives.WriteInt64LittleEndian(counter, count);
            crc = Crc32.Append(crc, counter);
            stream.Write(counter);
        }

        // The floats go out in chunks so that a large network needs no second copy of them: the parameters,
        // then the state, which is the layout StateDict's offsets describe.
        var chunk = new byte[sizeof(float) * Math.Min(PayloadChunkFloats, Math.Max(network.ParameterCount, network.State.Length))];
        crc = WriteFloats(network.Parameters, chunk, crc, stream);
        crc = WriteFloats(network.State, chunk, crc, stream);

        Span<byte> checksum = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, Crc32.Finish(crc));
        stream.Write(checksum);
    }

    private static uint WriteFloats(ReadOnlySpan<float> values, byte[] chunk, uint crc, Stream stream)
    {
        for (int start = 0; start < values.Length; start += PayloadChunkFloats)
        {
            ReadOnlySpan<float> floats = values.Slice(start, Math.Min(PayloadChunkFloats, values.Length - start));
            Span<byte> bytes = chunk.AsSpan(0, sizeof(float) * floats.Length);
            EncodeLittleEndian(floats, bytes);
            crc = Crc32.Append(crc, bytes);
            stream.Write(bytes);
        }

        return crc;
    }

    private static byte[] EncodeHeader(StateDict stateDict)
    {
        IReadOnlyList<ParameterTensor> tensors = stateDict.Floats;
        IReadOnlyList<string> counters = stateDict.Counters;
        byte[][] names = [.. tensors.Select(tensor => Encoding.UTF8.GetBytes(tensor.Name))];
        byte[][] counterNames = [.. counters.Select(Encoding.UTF8.GetBytes)];
        int tableLength = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            // name length, name, rank, sizes, offset
            tableLength = checked(tableLength + 4 + names[i].Length + 4 + (4 * tensors[i].Shape.Count) + 4);
        }

        foreach (byte[] name in counterNames)
        {
            tableLength = checked(tableLength + 4 + name.Length); // name length, name
        }

        tableLength = checked((tableLength + 7) & ~7); // the counters and floats start 8-byte aligned
        var header = new byte[checked(FixedHeaderLength + tableLength)];
        var writer = new SpanWriter(header);
        writer.Bytes(WeightFile.Magic);
        writer.Int32(WeightFile.FormatVersion);
        writer.Int32(tensors.Count);
        writer.Int32(stateDict.Network.ParameterCount);
        writer.Int32(stateDict.FloatCount - stateDict.Network.ParameterCount);
        writer.Int32(counters.Count);
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

        foreach (byte[] name in counterNames)
        {
            writer.Int32(name.Length);
            writer.Bytes(name);
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
