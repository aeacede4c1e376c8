using System.Buffers.Binary;
using System.IO.Compression;

namespace CnnGen.Runtime.Tests.Data;

/// <summary>A temporary directory in which tests write small IDX files, plain or gzip-compressed.</summary>
internal sealed class IdxFiles : IDisposable
{
    public IdxFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "cnngen-idx-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>The bytes of an IDX file: magic, big-endian sizes, then <paramref name="data"/>.</summary>
    public static byte[] Build(int magic, int[] sizes, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[4 + 4 * sizes.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < sizes.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), sizes[i]);
        }

        data.CopyTo(bytes.AsSpan(4 + 4 * sizes.Length));
        return bytes;
    }

    public static byte[] Images(int count, int rows, int columns, Func<int, byte> pixel) =>
        Build(0x00000803, [count, rows, columns], Enumerable.Range(0, count * rows * columns).Select(pixel).ToArray());

    public static byte[] Labels(params byte[] labels) => Build(0x00000801, [labels.Length], labels);

    public static byte[] Gzip(byte[] content)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return compressed.ToArray();
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="name"/> in the directory and returns its path.</summary>
    public string Write(string name, byte[] content)
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
