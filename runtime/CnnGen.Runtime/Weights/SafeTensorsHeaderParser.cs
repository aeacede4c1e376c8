using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace CnnGen.Runtime.Weights;

/// <summary>
/// Parses and checks the JSON header of a safetensors file with <see cref="Utf8JsonReader"/> (no
/// reflection, AOT-safe): strict JSON, UTF-8, a top-level object, no duplicate keys, a string → string
/// <c>__metadata__</c>, tensors with a dtype, a shape and two data offsets whose length agrees with
/// the shape and dtype, and offsets that cover the data section from 0 without gaps or overlaps.
/// </summary>
internal static class SafeTensorsHeaderParser
{
    public const string MetadataKey = "__metadata__";

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 8,
    };

    /// <summary>Parses <paramref name="json"/>, the N header bytes after the length; every problem is a <see cref="InvalidDataException"/>.</summary>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, string source)
    {
        if (json.IsEmpty || json[0] != (byte)'{')
        {
            string start = json.IsEmpty ? "is empty" : $"starts with byte 0x{json[0]:X2} ('{Printable(json[0])}')";
            throw Malformed(source, $"the JSON header must start with '{{' but {start}");
        }

        if (!Utf8.IsValid(json))
        {
            throw Malformed(source, $"the JSON header is not valid UTF-8 (first invalid byte at header offset {FirstInvalidUtf8(json)})");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafeTensorsTensorInfo>();
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            reader.Read(); // '{', checked above
            var keys = new HashSet<string>(StringComparer.Ordinal);
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                string key = reader.GetString()!;
                if (!keys.Add(key))
                {
                    throw Malformed(source, $"the key '{key}' occurs twice in the JSON header");
                }

                if (key == MetadataKey)
                {
                    ReadMetadata(ref reader, metadata, source);
                }
                else
                {
                    tensors.Add(ReadTensor(ref reader, key, source));
                }
            }

            if (reader.Read())
            {
                throw Malformed(source, $"unexpected {reader.TokenType} after the JSON object at header offset {reader.TokenStartIndex}");
            }
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{source}: malformed header: invalid JSON: {exception.Message}", exception);
        }
        catch (InvalidOperationException exception)
        {
            // GetString on an escape that is not valid UTF-16, such as a lone "\ud800".
            throw new InvalidDataException($"{source}: malformed header: invalid JSON string: {exception.Message}", exception);
        }

        CheckLayout(tensors, source);
        return new SafeTensorsHeader(json.Length, metadata, tensors);
    }

    /// <summary>
    /// Checks that every tensor's byte length fits its shape and dtype and that, ordered by offset, the
    /// tensors cover the data section from 0 to the largest end exactly once (as the format requires).
    /// </summary>
    private static void CheckLayout(List<SafeTensorsTensorInfo> tensors, string source)
    {
        foreach (SafeTensorsTensorInfo tensor in tensors)
        {
            string offsets = $"data_offsets [{tensor.DataBegin}, {tensor.DataEnd}]";
            if (tensor.DataEnd < tensor.DataBegin)
            {
                throw Malformed(source, $"'{tensor.Name}' has {offsets}: the end is before the beginning");
            }

            if (tensor.DataEnd > long.MaxValue - 8 - SafeTensors.MaxHeaderLength)
            {
                throw Malformed(source, $"'{tensor.Name}' has {offsets}, beyond any possible file");
            }

            long elements = 1;
            foreach (long size in tensor.Shape)
            {
                if (!TryMultiply(elements, size, out elements))
                {
                    throw Malformed(source, $"'{tensor.Name}' has a shape {tensor.FormatShape()} whose element count overflows");
                }
            }

            if (SafeTensorsDType.Bits(tensor.DType) is not int bits)
            {
                continue; // a dtype newer than this runtime: its size cannot be checked, only its place
            }

            if (!TryMultiply(elements, bits, out long totalBits) || totalBits % 8 != 0)
            {
                throw Malformed(source, $"'{tensor.Name}' of dtype {tensor.DType} and shape {tensor.FormatShape()} does not fill a whole number of bytes");
            }

            if (totalBits / 8 != tensor.ByteLength)
            {
                throw Malformed(
                    source,
                    $"'{tensor.Name}' has {offsets} = {tensor.ByteLength} bytes, but shape {tensor.FormatShape()} of dtype {tensor.DType} needs {totalBits / 8}");
            }
        }

        var ordered = tensors.OrderBy(tensor => tensor.DataBegin).ThenBy(tensor => tensor.DataEnd).ThenBy(tensor => tensor.Name, StringComparer.Ordinal);
        long position = 0;
        SafeTensorsTensorInfo? previous = null;
        foreach (SafeTensorsTensorInfo tensor in ordered)
        {
            if (tensor.DataBegin < position)
            {
                throw Malformed(
                    source,
                    $"'{previous!.Name}' (data_offsets [{previous.DataBegin}, {previous.DataEnd}]) overlaps '{tensor.Name}' (data_offsets [{tensor.DataBegin}, {tensor.DataEnd}])");
            }

            if (tensor.DataBegin > position)
            {
                string where = previous is null ? $"before '{tensor.Name}'" : $"between '{previous.Name}' and '{tensor.Name}'";
                throw Malformed(
                    source,
                    $"bytes {position} to {tensor.DataBegin - 1} of the data section belong to no tensor ({where}); the offsets must cover the data without gaps");
            }

            position = tensor.DataEnd;
            previous = tensor;
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType;
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string source)
    {
        if (Next(ref reader) != JsonTokenType.StartObject)
        {
            throw Malformed(source, $"{MetadataKey} must be an object of strings but is {Describe(reader.TokenType)}");
        }

        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            if (Next(ref reader) != JsonTokenType.String)
            {
                throw Malformed(source, $"{MetadataKey} must map strings to strings, but '{key}' is {Describe(reader.TokenType)}");
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw Malformed(source, $"the key '{key}' occurs twice in {MetadataKey}");
            }
        }
    }

    private static SafeTensorsTensorInfo ReadTensor(ref Utf8JsonReader reader, string name, string source)
    {
        if (Next(ref reader) != JsonTokenType.StartObject)
        {
            throw Malformed(source, $"'{name}' must be an object with dtype, shape and data_offsets but is {Describe(reader.TokenType)}");
        }

        string? dtype = null;
        List<long>? shape = null;
        List<long>? offsets = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string field = reader.GetString()!;
            reader.Read();
            bool duplicate = field switch
            {
                "dtype" => dtype is not null,
                "shape" => shape is not null,
                "data_offsets" => offsets is not null,
                _ => false,
            };
            if (duplicate)
            {
                throw Malformed(source, $"'{name}' has '{field}' twice");
            }

            switch (field)
            {
                case "dtype" when reader.TokenType == JsonTokenType.String:
                    dtype = reader.GetString()!;
                    break;
                case "dtype":
                    throw Malformed(source, $"the dtype of '{name}' must be a string but is {Describe(reader.TokenType)}");
                case "shape":
                    shape = ReadIntegers(ref reader, name, field, source);
                    break;
                case "data_offsets":
                    offsets = ReadIntegers(ref reader, name, field, source);
                    if (offsets.Count != 2)
                    {
                        throw Malformed(source, $"the data_offsets of '{name}' must be [begin, end] but have {offsets.Count} numbers");
                    }

                    break;
                default:
                    reader.Skip(); // unknown fields are ignored, as the reference implementation does
                    break;
            }
        }

        string[] missing = [.. new[] { ("dtype", dtype is null), ("shape", shape is null), ("data_offsets", offsets is null) }
            .Where(field => field.Item2).Select(field => field.Item1)];
        if (missing.Length > 0)
        {
            throw Malformed(source, $"'{name}' has no {string.Join(" and no ", missing)}");
        }

        return new SafeTensorsTensorInfo(name, dtype!, shape!.ToArray(), offsets![0], offsets[1]);
    }

    // A JSON array of non-negative integers (each at most long.MaxValue).
    private static List<long> ReadIntegers(ref Utf8JsonReader reader, string name, string field, string source)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Malformed(source, $"the {field} of '{name}' must be an array of non-negative integers but is {Describe(reader.TokenType)}");
        }

        var values = new List<long>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out ulong value) || value > long.MaxValue)
            {
                string found = reader.TokenType == JsonTokenType.Number
                    ? Encoding.UTF8.GetString(reader.ValueSpan) // one contiguous span: the reader reads a span
                    : Describe(reader.TokenType);
                throw Malformed(source, $"the {field} of '{name}' must be non-negative integers, but one is {found}");
            }

            values.Add((long)value);
        }

        return values;
    }

    private static bool TryMultiply(long left, long right, out long product)
    {
        try
        {
            product = checked(left * right);
            return true;
        }
        catch (OverflowException)
        {
            product = 0;
            return false;
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int index = 0;
        while (index < bytes.Length && System.Text.Rune.DecodeFromUtf8(bytes[index..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
        {
            index += consumed;
        }

        return index;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static char Printable(byte value) => value is >= 0x20 and < 0x7F ? (char)value : '.';

    private static InvalidDataException Malformed(string source, string problem) => new($"{source}: malformed header: {problem}.");
}
