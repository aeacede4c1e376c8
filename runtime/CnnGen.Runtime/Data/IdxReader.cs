using System.Buffers.Binary;
using System.IO.Compression;

namespace CnnGen.Runtime.Data;

/// <summary>
/// Reads the IDX files MNIST and Fashion-MNIST ship in, plain or gzip-compressed (recognised by
/// the gzip magic bytes <c>1f 8b</c>, whatever the file is called).
/// </summary>
/// <remarks>
/// An IDX file is a big-endian header followed by the data:
/// <code>
/// 00 00 TT DD        magic: two zero bytes, data type TT (0x08 = unsigned byte), DD dimensions
/// DD × int32         the size of each dimension
/// data               Π sizes elements, row-major
/// </code>
/// Images are <c>0x00000803</c> (N, rows, columns); labels are <c>0x00000801</c> (N).
/// Every malformed file raises <see cref="InvalidDataException"/> naming the file and what is wrong:
/// a magic number of another type or dimension count (images have 3 sizes, labels 1), data that ends
/// before or after the Π sizes bytes the header declares (both lengths named), and a <c>.gz</c> whose
/// deflate data, CRC-32 or length trailer is wrong (the stream is always read to its end). Nothing larger
/// than the file can hold is allocated: a plain file's length is compared with the header first, a
/// compressed file's buffer grows as data arrives.
/// </remarks>
public static class IdxReader
{
    /// <summary>The magic number of an image file: unsigned bytes, 3 dimensions.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The magic number of a label file: unsigned bytes, 1 dimension.</summary>
    public const int LabelsMagic = 0x00000801;

    private const byte UnsignedByteType = 0x08;
    private const int InitialBufferLength = 1 << 16;

    /// <summary>Reads an image file (magic <c>0x00000803</c>).</summary>
    public static IdxImages ReadImages(string path)
    {
        byte[] pixels = Read(path, dimensions: 3, "images", out int[] sizes);
        return new IdxImages(sizes[0], sizes[1], sizes[2], pixels);
    }

    /// <summary>Reads a label file (magic <c>0x00000801</c>): one byte per sample.</summary>
    public static byte[] ReadLabels(string path) => Read(path, dimensions: 1, "labels", out _);

    private static byte[] Read(string path, int dimensions, string kind, out int[] sizes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        bool compressed = IsGzip(file);
        using Stream stream = compressed ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: false) : file;
        Span<byte> magicBytes = stackalloc byte[4];
        int read = ReadAtMost(stream, magicBytes, path);
        if (read < magicBytes.Length)
        {
            throw Invalid(path, $"the file is truncated: expected a 4-byte magic number but the file has only {read} bytes.");
        }

        CheckMagic(path, magicBytes, dimensions, kind);
        Span<byte> sizeBytes = stackalloc byte[4 * dimensions];
        read = ReadAtMost(stream, sizeBytes, path);
        if (read < sizeBytes.Length)
        {
            throw Invalid(path, $"the file is truncated: expected {sizeBytes.Length} bytes of dimension sizes after the magic number, found {read}.");
        }

        sizes = new int[dimensions];
        long total = 1;
        for (int i = 0; i < dimensions; i++)
        {
            sizes[i] = BinaryPrimitives.ReadInt32BigEndian(sizeBytes[(4 * i)..]);
            if (sizes[i] < 0)
            {
                throw Invalid(path, $"dimension {i} has a negative size ({sizes[i]}).");
            }

            total *= sizes[i];
            if (total > Array.MaxLength)
            {
                throw Invalid(path, $"the dimensions ({string.Join(" × ", sizes[..(i + 1)])}) exceed the largest array .NET can hold.");
            }
        }

        var layout = new DataLayout(path, kind, sizes, total, HeaderLength: 4 + sizeBytes.Length);
        return compressed ? ReadDecompressed(stream, layout) : ReadPlain(file, layout);
    }

    // A plain file's length is known: compared with the header before anything is allocated.
    private static byte[] ReadPlain(FileStream file, DataLayout layout)
    {
        long following = file.Length - layout.HeaderLength;
        if (following != layout.Total)
        {
            throw layout.WrongLength(following);
        }

        var data = new byte[layout.Total];
        int read = ReadAtMost(file, data, layout.Path);
        if (read < data.Length)
        {
            throw layout.WrongLength(read); // the file shrank while it was read
        }

        return data;
    }

    // A compressed file's data length is known only once it is decompressed: the buffer grows as data
    // arrives (a damaged size costs no more memory than the data holds), and the stream is read to its
    // end, so that gzip checks its CRC-32 and length trailer and any data past the declared size is seen.
    private static byte[] ReadDecompressed(Stream stream, DataLayout layout)
    {
        var data = new byte[Math.Min(layout.Total, InitialBufferLength)];
        int filled = 0;
        while (filled < layout.Total)
        {
            if (filled == data.Length)
            {
                Array.Resize(ref data, (int)Math.Min(layout.Total, 2L * data.Length));
            }

            int read = ReadAtMost(stream, data.AsSpan(filled), layout.Path, minimum: 1);
            if (read == 0)
            {
                throw layout.WrongLength(filled);
            }

            filled += read;
        }

        long surplus = 0;
        Span<byte> rest = stackalloc byte[4096];
        for (int read; (read = ReadAtMost(stream, rest, layout.Path, minimum: 1)) > 0;)
        {
            surplus += read;
        }

        if (surplus > 0)
        {
            throw layout.WrongLength(layout.Total + surplus);
        }

        return data;
    }

    private static void CheckMagic(string path, ReadOnlySpan<byte> magicBytes, int dimensions, string kind)
    {
        int magic = BinaryPrimitives.ReadInt32BigEndian(magicBytes);
        int expectedMagic = (UnsignedByteType << 8) | dimensions;
        if (magicBytes[0] != 0 || magicBytes[1] != 0)
        {
            throw Invalid(path, $"bad magic number 0x{magic:X8}: an IDX file starts with two zero bytes (expected 0x{expectedMagic:X8} for {kind}).");
        }

        if (magicBytes[2] != UnsignedByteType)
        {
            throw Invalid(path, $"unsupported data type byte 0x{magicBytes[2]:X2} ({TypeName(magicBytes[2])}) in magic number 0x{magic:X8}; only 0x08 (unsigned byte) is supported.");
        }

        if (magicBytes[3] != dimensions)
        {
            string looksLike = magic switch
            {
                ImagesMagic => " (an image file)",
                LabelsMagic => " (a label file)",
                _ => "",
            };
            throw Invalid(path, $"bad magic number 0x{magic:X8}{looksLike}: expected 0x{expectedMagic:X8} for {kind} ({dimensions} dimension{(dimensions == 1 ? "" : "s")}, found {magicBytes[3]}).");
        }
    }

    // Reads until the buffer is full (or holds minimum bytes) or the stream ends; returns the bytes read.
    private static int ReadAtMost(Stream stream, Span<byte> buffer, string path, int minimum = -1)
    {
        try
        {
            return stream.ReadAtLeast(buffer, minimum < 0 ? buffer.Length : minimum, throwOnEndOfStream: false);
        }
        catch (InvalidDataException exception)
        {
            // GZipStream reports a corrupt stream (bad deflate data, CRC-32 or length) without saying which file it was reading.
            throw Invalid(path, $"the gzip stream is corrupt: {exception.Message}", exception);
        }
    }

    // Gzip is recognised by content, so a decompressed file keeping its '.gz' name still reads.
    private static bool IsGzip(FileStream file)
    {
        Span<byte> signature = stackalloc byte[2];
        int read = file.ReadAtLeast(signature, signature.Length, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && signature[0] == 0x1f && signature[1] == 0x8b;
    }

    // The sizes a header declares, for the data-length check and its message.
    private readonly record struct DataLayout(string Path, string Kind, int[] Sizes, long Total, int HeaderLength)
    {
        public InvalidDataException WrongLength(long actual) => Invalid(
            Path,
            actual < Total
                ? $"the file is truncated: the header declares {string.Join(" × ", Sizes)} = {Total} bytes of {Kind} but only {actual} bytes follow the {HeaderLength}-byte header."
                : $"the data is longer than declared: the header declares {string.Join(" × ", Sizes)} = {Total} bytes of {Kind} but {actual} bytes follow the {HeaderLength}-byte header"
                    + ((actual - Total) % 4 == 0 && actual - Total <= 4 * 8 ? $" ({actual - Total} more: does the header hold more than its {Sizes.Length} size{(Sizes.Length == 1 ? "" : "s")}?)." : "."));
    }

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not an IDX type",
    };

    private static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"IDX file '{path}': {problem}", inner);
}
