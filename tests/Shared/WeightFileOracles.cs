using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using CnnGen.Runtime;

namespace CnnGen.Tests.Weights;

/// <summary>Test-side writers and checks for weight files, independent of the runtime's: the oracles the weight-file tests compare against.</summary>
internal static class WeightFileOracles
{
    /// <summary>The format-version-1 layout, written here by hand: 24-byte header (magic, 1, T, P, L), table, parameters, CRC-32.</summary>
    public static byte[] Version1File(INetwork network)
    {
        var table = new List<byte>();
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            byte[] name = Encoding.UTF8.GetBytes(tensor.Name);
            table.AddRange([.. BitConverter.GetBytes(name.Length), .. name, .. BitConverter.GetBytes(tensor.Shape.Count)]);
            table.AddRange(tensor.Shape.SelectMany(BitConverter.GetBytes));
            table.AddRange(BitConverter.GetBytes(tensor.Offset));
        }

        table.AddRange(new byte[(8 - (table.Count % 8)) % 8]);
        byte[] body =
        [
            .. "CNNGENW1"u8,
            .. BitConverter.GetBytes(1),
            .. BitConverter.GetBytes(network.ParameterTensors.Count),
            .. BitConverter.GetBytes(network.ParameterCount),
            .. BitConverter.GetBytes(table.Count),
            .. table,
            .. MemoryMarshal.AsBytes(network.Parameters),
        ];
        return [.. body, .. BitConverter.GetBytes(GzipCrc32(body))];
    }

    /// <summary>The CRC-32 GZipStream writes into its trailer: the zlib CRC of <paramref name="data"/>.</summary>
    public static uint GzipCrc32(byte[] data)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        byte[] bytes = compressed.ToArray();
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 8)); // trailer: CRC-32, then length
    }
}
