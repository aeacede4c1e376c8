using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace CnnGen.Runtime.Weights;

/// <summary>
/// Writes safetensors exactly as the reference implementation behind PyTorch's <c>save_file</c> does:
/// compact JSON with <c>__metadata__</c> first, then the tensors sorted by name (byte-wise, as Rust
/// sorts strings; all are F32, so the reference's dtype-first sort changes nothing), each
/// <c>{"dtype":"F32","shape":[…],"data_offsets":[begin,end]}</c>; the header padded with spaces to a
/// multiple of 8 bytes so that the data is aligned; then the data in the same order. Strings are
/// escaped as serde_json escapes them (<c>\"</c>, <c>\\</c>, <c>\n</c>-style short escapes and
/// <c>\u00xx</c> for other control characters; everything else as raw UTF-8).
/// </summary>
internal static class SafeTensorsWriter
{
    private const int ChunkFloats = 1 << 14;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>What <see cref="Write"/> needs once the header is known to be sound.</summary>
    internal sealed record Prepared(byte[] Header, StateDict StateDict, Entry[] TensorsInFileOrder);

    /// <summary>One tensor of the file: a float tensor of the state dict, or (<see cref="Counter"/> ≥ 0) an I64 counter.</summary>
    internal sealed record Entry(byte[] Name, ParameterTensor? Floats, int Counter)
    {
        public long ByteLength => Floats is { } tensor ? sizeof(float) * (long)tensor.Length : sizeof(long);
    }

    /// <summary>Checks the network, the names and the metadata and encodes the header (length prefix included).</summary>
    public static Prepared Prepare(
        INetwork network, IReadOnlyDictionary<string, string>? metadata, IReadOnlyDictionary<string, string>? tensorNames)
    {
        var stateDict = StateDict.Of(network);
        IReadOnlyList<ParameterTensor> tensors = stateDict.Floats;
        IReadOnlyList<ParameterTensor> named = stateDict.Named();
        string[] fileNames = SafeTensorsNameMap.Resolve(network, named, tensorNames, nameof(tensorNames));
        metadata ??= new Dictionary<string, string> { ["format"] = "pt" };

        var entries = new Entry[named.Count];
        for (int i = 0; i < named.Count; i++)
        {
            if (fileNames[i] == SafeTensorsHeaderParser.MetadataKey)
            {
                throw new ArgumentException($"'{named[i].Name}' cannot be saved as '{SafeTensorsHeaderParser.MetadataKey}', the key the format reserves for metadata.", nameof(tensorNames));
            }

            bool counter = i >= tensors.Count;
            entries[i] = new Entry(Encode(fileNames[i], nameof(tensorNames)), counter ? null : tensors[i], counter ? i - tensors.Count : -1);
        }

        Array.Sort(entries, (left, right) => left.Name.AsSpan().SequenceCompareTo(right.Name));

        var json = new List<byte>(64 + (64 * entries.Length));
        json.Add((byte)'{');
        if (metadata.Count > 0)
        {
            AppendString(json, Encode(SafeTensorsHeaderParser.MetadataKey, nameof(metadata)));
            json.AddRange(":{"u8);
            var pairs = metadata
                .Select(pair => (Key: Encode(pair.Key, nameof(metadata)), Value: Encode(pair.Value ?? throw new ArgumentException($"The metadata value of '{pair.Key}' is null.", nameof(metadata)), nameof(metadata))))
                .ToArray();
            Array.Sort(pairs, (left, right) => left.Key.AsSpan().SequenceCompareTo(right.Key));
            for (int i = 0; i < pairs.Length; i++)
            {
                if (i > 0)
                {
                    json.Add((byte)',');
                }

                AppendString(json, pairs[i].Key);
                json.Add((byte)':');
                AppendString(json, pairs[i].Value);
            }

            json.Add((byte)'}');
        }

        long offset = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            if (i > 0 || metadata.Count > 0)
            {
                json.Add((byte)',');
            }

            long end = offset + entries[i].ByteLength;
            IReadOnlyList<int> shape = entries[i].Floats?.Shape ?? [];
            string dtype = entries[i].Floats is null ? "I64" : SafeTensorsDType.F32;
            AppendString(json, entries[i].Name);
            json.AddRange(Encoding.ASCII.GetBytes(string.Create(
                CultureInfo.InvariantCulture,
                $":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape.Select(size => size.ToString(CultureInfo.InvariantCulture)))}],\"data_offsets\":[{offset},{end}]}}")));
            offset = end;
        }

        json.Add((byte)'}');
        while (json.Count % 8 != 0)
        {
            json.Add((byte)' ');
        }

        var header = new byte[8 + json.Count];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)json.Count);
        json.CopyTo(header, 8);
        return new Prepared(header, stateDict, entries);
    }

    /// <summary>Writes the prepared header and then the tensors' floats in file order, a chunk at a time.</summary>
    public static void Write(INetwork network, Prepared prepared, Stream stream)
    {
        stream.Write(prepared.Header);
        var chunk = new byte[sizeof(float) * ChunkFloats];
        foreach (Entry entry in prepared.TensorsInFileOrder)
        {
            if (entry.Floats is not { } tensor)
            {
                BinaryPrimitives.WriteInt64LittleEndian(chunk, network.BatchesTracked[entry.Counter]);
                stream.Write(chunk.AsSpan(0, sizeof(long)));
                continue;
            }

            ReadOnlySpan<float> values = prepared.StateDict.Values(tensor);
            for (int start = 0; start < tensor.Length; start += ChunkFloats)
            {
                int count = Math.Min(ChunkFloats, tensor.Length - start);
                Span<byte> bytes = chunk.AsSpan(0, sizeof(float) * count);
                SafeTensorsDType.FromSingle(values.Slice(start, count), bytes);
                stream.Write(bytes);
            }
        }
    }

    private static byte[] Encode(string text, string parameter)
    {
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException exception)
        {
            throw new ArgumentException($"'{text}' is not valid Unicode (it has an unpaired surrogate) and cannot be written as UTF-8.", parameter, exception);
        }
    }

    // A JSON string as serde_json writes it.
    private static void AppendString(List<byte> json, byte[] utf8)
    {
        json.Add((byte)'"');
        foreach (byte value in utf8)
        {
            switch (value)
            {
                case (byte)'"':
                    json.AddRange("\\\""u8);
                    break;
                case (byte)'\\':
                    json.AddRange("\\\\"u8);
                    break;
                case (byte)'\b':
                    json.AddRange("\\b"u8);
                    break;
                case (byte)'\f':
                    json.AddRange("\\f"u8);
                    break;
                case (byte)'\n':
                    json.AddRange("\\n"u8);
                    break;
                case (byte)'\r':
                    json.AddRange("\\r"u8);
                    break;
                case (byte)'\t':
                    json.AddRange("\\t"u8);
                    break;
                case < 0x20:
                    json.AddRange(Encoding.ASCII.GetBytes($"\\u{value:x4}"));
                    break;
                default:
                    json.Add(value);
                    break;
            }
        }

        json.Add((byte)'"');
    }
}
