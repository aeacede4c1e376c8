using System.Buffers.Binary;
using System.Text;
using CnnGen.Runtime.Weights;

namespace CnnGen.Runtime.Tests.Weights;

/// <summary>
/// Builds safetensors files by hand for tests, independently of <see cref="SafeTensors.Save(INetwork, Stream, IReadOnlyDictionary{string, string}?, IReadOnlyDictionary{string, string}?)"/>:
/// an explicit header (JSON text) and explicit little-endian data.
/// </summary>
internal static class SafeTensorsFiles
{
    /// <summary>The 8-byte little-endian length of <paramref name="json"/> (as UTF-8, unpadded), the JSON, then the data parts.</summary>
    public static byte[] Build(string json, params byte[][] data)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        return [.. length, .. header, .. data.SelectMany(part => part)];
    }

    /// <summary>Like <see cref="Build"/> with the length prefix given explicitly.</summary>
    public static byte[] WithLength(ulong headerLength, byte[] rest)
    {
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, headerLength);
        return [.. length, .. rest];
    }

    public static byte[] F32(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    public static byte[] F64(params double[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        }

        return bytes;
    }

    /// <summary>16-bit elements (F16, BF16, I16 …) given as their bit patterns.</summary>
    public static byte[] Bits16(params ushort[] values)
    {
        var bytes = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), values[i]);
        }

        return bytes;
    }

    public static byte[] I64(params long[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
        }

        return bytes;
    }

    public static byte[] SaveToBytes(
        INetwork network, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyDictionary<string, string>? tensorNames = null)
    {
        using var stream = new MemoryStream();
        SafeTensors.Save(network, stream, metadata, tensorNames);
        return stream.ToArray();
    }

    public static uint[] Bits(INetwork network) => network.Parameters.ToArray().Select(BitConverter.SingleToUInt32Bits).ToArray();

    public static uint[] Bits(params float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();
}
