using System.Buffers.Binary;
using System.Text;

namespace CnnGen.Runtime.Weights;

/// <summary>
/// Reads and checks the format described on <see cref="WeightFile"/>: magic, version, length and
/// CRC-32 before the tensor table is even parsed, so that a damaged file is reported as damaged.
/// </summary>
internal static class WeightFileReader
{
    // Limits that keep a damaged header from asking for absurd allocations before the CRC is checked.
    private const int MaxTableLength = 1 << 24;
    private const int MaxRank = 32;
    private const int InitialBufferLength = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="stream">Read from its current position.</param>
    /// <param name="source">How messages name the data: <c>Weight file 'path'</c>.</param>
    /// <param name="requireEndOfStream">Whether bytes after the checksum are an error (a file) or left unread (a stream).</param>
    public static WeightFileContent Read(Stream stream, string source, bool requireEndOfStream)
    {
        const int versionEnd = 12;
        var header = new byte[WeightFileWriter.FixedHeaderLength];
        int read = stream.ReadAtLeast(header.AsSpan(0, versionEnd), versionEnd, throwOnEndOfStream: false);
        CheckMagic(header.AsSpan(0, read), source);
        if (read < versionEnd)
        {
            throw Truncated(source, "the magic number and format version", versionEnd, read);
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
        if (version is not (1 or WeightFile.FormatVersion))
        {
            throw new InvalidDataException(
                $"{source}: unsupported format version {version}; this runtime reads versions 1 and {WeightFile.FormatVersion}.");
        }

        // Version 1 has no state: its header lacks the state and counter counts.
        int headerLength = version == 1 ? WeightFileWriter.FixedHeaderLengthVersion1 : WeightFileWriter.FixedHeaderLength;
        Array.Resize(ref header, headerLength);
        read += stream.ReadAtLeast(header.AsSpan(versionEnd), headerLength - versionEnd, throwOnEndOfStream: false);
        if (read < headerLength)
        {
            throw Truncated(source, $"the {headerLength}-byte header of format version {version}", headerLength, read);
        }

        int tensorCount = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
        int parameterCount = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16));
        int stateCount = version == 1 ? 0 : BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(20));
        int counterCount = version == 1 ? 0 : BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(24));
        int tableLength = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(headerLength - 4));
        CheckHeader(tensorCount, parameterCount, stateCount, counterCount, tableLength, headerLength, source);

        int floatCount = parameterCount + stateCount; // CheckHeader: no overflow
        long expectedLength = headerLength + (long)tableLength + (sizeof(long) * (long)counterCount) + (sizeof(float) * (long)floatCount) + sizeof(uint);
        string layout = version == 1
            ? $"{headerLength}-byte header, {tableLength}-byte tensor table, {parameterCount} float32 parameters, 4-byte CRC-32"
            : $"{headerLength}-byte header, {tableLength}-byte tensor table, {counterCount} int64 counters, {parameterCount} float32 parameters and {stateCount} of state, 4-byte CRC-32";
        byte[] data = ReadRest(stream, header, expectedLength, out long actualLength);
        if (actualLength < expectedLength)
        {
            throw Truncated(source, layout, expectedLength, actualLength);
        }

        if (requireEndOfStream && CountTrailingBytes(stream) is long trailing and > 0)
        {
            throw new InvalidDataException(
                $"{source}: {trailing} unexpected bytes after the checksum: expected {expectedLength} bytes ({layout}) but the file has {expectedLength + trailing}.");
        }

        int checksumOffset = data.Length - sizeof(uint);
        uint storedChecksum = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(checksumOffset));
        uint actualChecksum = Crc32.Compute(data.AsSpan(0, checksumOffset));
        if (storedChecksum != actualChecksum)
        {
            throw new InvalidDataException(
                $"{source}: checksum mismatch: the file stores CRC-32 0x{storedChecksum:X8} but its first {checksumOffset} bytes give 0x{actualChecksum:X8}; the file is corrupt.");
        }

        ReadOnlySpan<byte> table = data.AsSpan(headerLength, tableLength);
        int position = 0;
        ParameterTensor[] tensors = ReadTensors(table, ref position, tensorCount, source);
        string[] counterNames = ReadCounterNames(table, ref position, tensorCount, counterCount, source);
        if (table[position..].ContainsAnyExcept((byte)0))
        {
            throw new InvalidDataException(
                $"{source}: malformed tensor table: {table.Length - position} bytes after the last of {tensorCount + counterCount} entries should be zero padding but are not.");
        }

        if (TensorTable.FindProblem(tensors, floatCount) is { } problem)
        {
            throw new InvalidDataException($"{source}: malformed tensor table: {problem}");
        }

        if (counterNames.Intersect(tensors.Select(tensor => tensor.Name), StringComparer.Ordinal).FirstOrDefault() is { } shared)
        {
            throw new InvalidDataException($"{source}: malformed tensor table: the name '{shared}' occurs twice.");
        }

        int countersStart = headerLength + tableLength;
        var counters = new long[counterCount];
        for (int i = 0; i < counters.Length; i++)
        {
            counters[i] = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(countersStart + (sizeof(long) * i)));
        }

        int floatsStart = countersStart + (sizeof(long) * counterCount);
        return new WeightFileContent(source, version, tensors, parameterCount, stateCount, counterNames, counters, data.AsMemory(floatsStart, sizeof(float) * floatCount));
    }

    // Compares as many bytes as the file has, so that a short file of something else is "bad magic", not "truncated".
    private static void CheckMagic(ReadOnlySpan<byte> start, string source)
    {
        ReadOnlySpan<byte> magic = WeightFile.Magic;
        ReadOnlySpan<byte> found = start[..Math.Min(start.Length, magic.Length)];
        if (!found.SequenceEqual(magic[..found.Length]))
        {
            throw new InvalidDataException(
                $"{source}: bad magic number: expected \"CNNGENW1\" ({Convert.ToHexString(magic)}) but the file starts with {Describe(found)}; it is not a CnnGen weight file.");
        }

        if (found.Length < magic.Length)
        {
            throw Truncated(source, "the magic number", magic.Length, start.Length);
        }
    }

    private static void CheckHeader(int tensorCount, int parameterCount, int stateCount, int counterCount, int tableLength, int headerLength, string source)
    {
        long payloadBytes = (sizeof(float) * ((long)parameterCount + stateCount)) + (sizeof(long) * (long)counterCount);
        string? problem =
            tensorCount < 0 ? $"negative tensor count {tensorCount}"
            : parameterCount < 0 ? $"negative parameter count {parameterCount}"
            : stateCount < 0 ? $"negative state count {stateCount}"
            : counterCount < 0 ? $"negative counter count {counterCount}"
            : tableLength < 0 || tableLength > MaxTableLength ? $"tensor table length {tableLength} outside [0, {MaxTableLength}]"
            : tableLength % 8 != 0 ? $"tensor table length {tableLength} is not a multiple of 8"
            : (13L * tensorCount) + (5L * counterCount) > tableLength ? $"{tensorCount} tensors and {counterCount} counters cannot fit in a {tableLength}-byte table"
            : payloadBytes > Array.MaxLength - headerLength - tableLength - sizeof(uint)
                ? $"{parameterCount} parameters, {stateCount} floats of state and {counterCount} counters are more than one file can hold"
            : null;
        if (problem is not null)
        {
            throw new InvalidDataException($"{source}: malformed header ({problem}); the file is corrupt.");
        }
    }

    // Everything from the start of the file up to the expected end, growing the buffer as data arrives so
    // that a damaged length in a short file costs no more memory than the file itself.
    private static byte[] ReadRest(Stream stream, byte[] header, long expectedLength, out long actualLength)
    {
        long initialLength = Math.Min(expectedLength, InitialBufferLength);
        if (stream.CanSeek)
        {
            long available = header.Length + Math.Max(0, stream.Length - stream.Position);
            if (available < expectedLength)
            {
                actualLength = available;
                return [];
            }

            initialLength = expectedLength;
        }

        var data = new byte[initialLength];
        header.CopyTo(data, 0);
        int filled = header.Length;
        while (filled < expectedLength)
        {
            if (filled == data.Length)
            {
                Array.Resize(ref data, (int)Math.Min(expectedLength, 2L * data.Length));
            }

            int read = stream.Read(data, filled, data.Length - filled);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        actualLength = filled;
        return data;
    }

    private static long CountTrailingBytes(Stream stream)
    {
        if (stream.CanSeek)
        {
            return Math.Max(0, stream.Length - stream.Position);
        }

        long count = 0;
        Span<byte> buffer = stackalloc byte[4096];
        for (int read; (read = stream.Read(buffer)) > 0;)
        {
            count += read;
        }

        return count;
    }

    // The float tensors' entries: name length, name, rank, sizes, offset into the floats.
    private static ParameterTensor[] ReadTensors(ReadOnlySpan<byte> table, ref int position, int tensorCount, string source)
    {
        var tensors = new ParameterTensor[tensorCount];
        for (int index = 0; index < tensorCount; index++)
        {
            string name = ReadName(table, ref position, index, source);
            int rank = ReadInt32(table, ref position, index, "rank", source);
            if (rank is < 0 or > MaxRank)
            {
                throw MalformedTable(source, index, $"'{name}' has rank {rank}, outside [0, {MaxRank}]");
            }

            var shape = new int[rank];
            for (int axis = 0; axis < rank; axis++)
            {
                shape[axis] = ReadInt32(table, ref position, index, "shape", source);
            }

            // The product of the sizes, capped just past int.MaxValue so that it cannot overflow.
            long elements = shape.Any(size => size < 0) ? -1 : shape.Contains(0) ? 0 : 1;
            for (int axis = 0; axis < rank && elements > 0; axis++)
            {
                elements = Math.Min(elements * shape[axis], int.MaxValue + 1L);
            }

            if (elements is < 0 or > int.MaxValue)
            {
                throw MalformedTable(source, index, $"'{name}' has an impossible shape {TensorTable.Format(shape)}");
            }

            int offset = ReadInt32(table, ref position, index, "offset", source);
            tensors[index] = new ParameterTensor(name, offset, (int)elements, shape);
        }

        return tensors;
    }

    // The counters' entries, after the tensors': name length, name (the value is an int64 in the counter section).
    private static string[] ReadCounterNames(ReadOnlySpan<byte> table, ref int position, int tensorCount, int counterCount, string source)
    {
        var names = new string[counterCount];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < counterCount; i++)
        {
            names[i] = ReadName(table, ref position, tensorCount + i, source);
            if (!seen.Add(names[i]))
            {
                throw MalformedTable(source, tensorCount + i, $"the counter name '{names[i]}' occurs twice");
            }
        }

        return names;
    }

    private static string ReadName(ReadOnlySpan<byte> table, ref int position, int index, string source)
    {
        int nameLength = ReadInt32(table, ref position, index, "name length", source);
        if (nameLength <= 0 || nameLength > table.Length - position)
        {
            throw MalformedTable(source, index, $"name length {nameLength} does not fit the {table.Length}-byte table at byte {position}");
        }

        try
        {
            string name = StrictUtf8.GetString(table.Slice(position, nameLength));
            position += nameLength;
            return name;
        }
        catch (DecoderFallbackException exception)
        {
            throw MalformedTable(source, index, $"the name is not valid UTF-8 ({exception.Message})");
        }
    }

    private static int ReadInt32(ReadOnlySpan<byte> table, ref int position, int index, string field, string source)
    {
        if (table.Length - position < sizeof(int))
        {
            throw MalformedTable(source, index, $"the {field} at byte {position} runs past the end of the {table.Length}-byte table");
        }

        int value = BinaryPrimitives.ReadInt32LittleEndian(table[position..]);
        position += sizeof(int);
        return value;
    }

    // Hex and printable ASCII: 89504E470D0A1A0A (".PNG....").
    private static string Describe(ReadOnlySpan<byte> bytes)
    {
        var printable = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            printable[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '.';
        }

        return $"{Convert.ToHexString(bytes)} (\"{new string(printable)}\")";
    }

    private static InvalidDataException Truncated(string source, string what, long expectedLength, long actualLength) =>
        new($"{source} is truncated: expected {expectedLength} bytes ({what}) but it has only {actualLength}.");

    private static InvalidDataException MalformedTable(string source, int index, string problem) =>
        new($"{source}: malformed tensor table: entry {index}: {problem}.");
}
