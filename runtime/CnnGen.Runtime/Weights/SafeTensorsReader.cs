using System.Buffers.Binary;
using System.Text;

namespace CnnGen.Runtime.Weights;

/// <summary>
/// Reads safetensors from a stream in one forward pass (seekable or not): the length, the header, then the
/// data in offset order, converting each needed tensor into a staging buffer. The network is written only
/// after the file has passed every check (see <see cref="SafeTensors"/>).
/// </summary>
internal static class SafeTensorsReader
{
    private const int InitialHeaderBuffer = 1 << 16;
    private const int ChunkBytes = 1 << 16; // a multiple of every element size

    /// <summary>
    /// Reads and checks the length prefix and the JSON header, leaving the stream at the start of the data.
    /// When the stream can tell its length, also checks that the data is all there and, if
    /// <paramref name="requireEnd"/>, that nothing follows it.
    /// </summary>
    public static SafeTensorsHeader ReadHeader(Stream stream, string source, bool requireEnd)
    {
        long available = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : -1;
        Span<byte> prefix = stackalloc byte[8];
        int read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (read < prefix.Length)
        {
            throw Truncated(source, "the 8-byte header length", prefix.Length, read);
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > SafeTensors.MaxHeaderLength)
        {
            bool zip = prefix.StartsWith("PK\u0003\u0004"u8);
            throw new InvalidDataException(
                $"{source}: the header length {headerLength} (the first 8 bytes, {Convert.ToHexString(prefix)}) exceeds the limit of {SafeTensors.MaxHeaderLength} bytes; " +
                (zip
                    ? "the data starts like a zip archive, which is what torch.save writes (.pt, .pth, .bin): export with safetensors.torch.save_file(model.state_dict(), path)."
                    : "it is not a safetensors file, or it is corrupt."));
        }

        long headerEnd = 8 + (long)headerLength;
        if (available >= 0 && available < headerEnd)
        {
            throw Truncated(source, $"the 8-byte length and the {headerLength}-byte JSON header", headerEnd, available);
        }

        byte[] json = ReadUpTo(stream, (int)headerLength);
        if (json.Length < (int)headerLength)
        {
            throw Truncated(source, $"the 8-byte length and the {headerLength}-byte JSON header", headerEnd, 8 + json.Length);
        }

        SafeTensorsHeader header = SafeTensorsHeaderParser.Parse(json, source);
        if (available >= 0 && available < header.FileLength)
        {
            throw Truncated(source, Layout(header), header.FileLength, available);
        }

        if (requireEnd && available > header.FileLength)
        {
            throw new InvalidDataException(
                $"{source}: {available - header.FileLength} bytes after the tensor data: the header's data_offsets cover {header.DataLength} bytes, so the file should have {header.FileLength} bytes ({Layout(header)}) but it has {available}.");
        }

        return header;
    }

    /// <summary>Reads one safetensors file from <paramref name="stream"/> into <paramref name="network"/>, or throws and changes nothing.</summary>
    public static void Load(INetwork network, Stream stream, string source, SafeTensorsLoadOptions options, bool requireEnd)
    {
        var stateDict = StateDict.Of(network);
        IReadOnlyList<ParameterTensor> tensors = stateDict.Floats;
        string[] fileNames = SafeTensorsNameMap.Resolve(network, stateDict.Named(), options.TensorNames, nameof(options));
        SafeTensorsHeader header = ReadHeader(stream, source, requireEnd);

        // File name → index in BatchesTracked. A counter missing from the file starts at 0, as PyTorch's
        // BatchNorm loads a state_dict from before it had one.
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < stateDict.Counters.Count; i++)
        {
            counters[fileNames[tensors.Count + i]] = i;
        }

        Dictionary<string, ParameterTensor> targets = Match(network, tensors, fileNames, counters, header, options, source);
        var staging = new float[stateDict.FloatCount];
        long[] counts = new long[stateDict.Counters.Count];
        ReadData(stream, header, targets, counters, staging, counts, source);
        if (!options.AllowNonFiniteValues)
        {
            CheckFinite(header, targets, staging, source);
        }

        stateDict.Store(staging, counts);
    }

    /// <summary>Which network tensor each needed file tensor goes to, after checking names, dtypes and shapes all at once.</summary>
    private static Dictionary<string, ParameterTensor> Match(
        INetwork network,
        IReadOnlyList<ParameterTensor> tensors,
        string[] fileNames,
        Dictionary<string, int> counters,
        SafeTensorsHeader header,
        SafeTensorsLoadOptions options,
        string source)
    {
        Dictionary<string, SafeTensorsTensorInfo> fileTensors = header.Tensors.ToDictionary(tensor => tensor.Name, StringComparer.Ordinal);
        var targets = new Dictionary<string, ParameterTensor>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (string counter in counters.Keys)
        {
            if (fileTensors.TryGetValue(counter, out SafeTensorsTensorInfo? actual) && (actual.DType != "I64" || actual.Shape.Count != 0))
            {
                problems.Add($"{counter}: expected an I64 scalar (), file has {actual.FormatShape()} {actual.DType}");
            }
        }

        for (int i = 0; i < tensors.Count; i++)
        {
            ParameterTensor expected = tensors[i];
            string label = Label(expected.Name, fileNames[i]);
            if (!fileTensors.TryGetValue(fileNames[i], out SafeTensorsTensorInfo? actual))
            {
                problems.Add($"{label}: expected {TensorTable.Format(expected.Shape)}, missing from the file");
                continue;
            }

            targets.Add(actual.Name, expected);
            if (!SameShape(expected.Shape, actual.Shape))
            {
                problems.Add($"{label}: expected {TensorTable.Format(expected.Shape)}, file has {actual.FormatShape()}");
            }

            if (!SafeTensorsDType.CanLoad(actual.DType))
            {
                problems.Add($"{label}: dtype {actual.DType} cannot be loaded (only {SafeTensorsDType.Loadable} convert to float32)");
            }
        }

        bool hasExtra = false;
        if (!options.IgnoreExtraTensors)
        {
            foreach (SafeTensorsTensorInfo extra in header.Tensors.Where(tensor => !targets.ContainsKey(tensor.Name) && !counters.ContainsKey(tensor.Name)))
            {
                problems.Add($"{extra.Name}: not in the network, file has {extra.FormatShape()} {extra.DType}");
                hasExtra = true;
            }
        }

        if (problems.Count > 0)
        {
            var message = new StringBuilder()
                .Append($"{source} does not fit {network.GetType().Name}: ")
                .Append(problems.Count == 1 ? "1 mismatch" : $"{problems.Count} mismatches")
                .Append(" (tensor: expected shape in the network, actual shape in the file):");
            foreach (string problem in problems)
            {
                message.Append("\n  ").Append(problem);
            }

            if (hasExtra)
            {
                message.Append("\nTensors not in the network can be skipped with SafeTensorsLoadOptions.IgnoreExtraTensors, or mapped with SafeTensorsLoadOptions.TensorNames.");
            }

            throw new InvalidDataException(message.ToString());
        }

        return targets;
    }

    // The data section in offset order (the header check guarantees it is contiguous from 0), converting
    // the tensors the network needs into their place in staging and skipping the others.
    private static void ReadData(
        Stream stream, SafeTensorsHeader header, Dictionary<string, ParameterTensor> targets, Dictionary<string, int> counters, float[] staging, long[] counts, string source)
    {
        var chunk = new byte[ChunkBytes];
        long consumed = 0;
        foreach (SafeTensorsTensorInfo tensor in header.Tensors.OrderBy(tensor => tensor.DataBegin).ThenBy(tensor => tensor.DataEnd))
        {
            if (counters.TryGetValue(tensor.Name, out int counter))
            {
                Fill(stream, chunk.AsSpan(0, sizeof(long)), header, consumed, source); // Match checked: one I64
                counts[counter] = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(chunk);
                consumed += sizeof(long);
                continue;
            }

            if (!targets.TryGetValue(tensor.Name, out ParameterTensor? target))
            {
                if (stream.CanSeek)
                {
                    stream.Seek(tensor.ByteLength, SeekOrigin.Current); // the length was checked against the stream's
                    consumed += tensor.ByteLength;
                    continue;
                }

                for (long remaining = tensor.ByteLength; remaining > 0;)
                {
                    int take = (int)Math.Min(chunk.Length, remaining);
                    Fill(stream, chunk.AsSpan(0, take), header, consumed, source);
                    consumed += take;
                    remaining -= take;
                }

                continue;
            }

            int elementSize = SafeTensorsDType.Size(tensor.DType);
            int destination = target.Offset;
            for (long remaining = tensor.ByteLength; remaining > 0;)
            {
                int take = (int)Math.Min(chunk.Length, remaining);
                Fill(stream, chunk.AsSpan(0, take), header, consumed, source);
                SafeTensorsDType.ToSingle(tensor.DType, chunk.AsSpan(0, take), staging.AsSpan(destination, take / elementSize));
                destination += take / elementSize;
                consumed += take;
                remaining -= take;
            }
        }
    }

    private static void CheckFinite(SafeTensorsHeader header, Dictionary<string, ParameterTensor> targets, float[] staging, string source)
    {
        var problems = new List<string>();
        foreach (SafeTensorsTensorInfo tensor in header.Tensors)
        {
            if (!targets.TryGetValue(tensor.Name, out ParameterTensor? target))
            {
                continue;
            }

            int nan = 0, positive = 0, negative = 0;
            foreach (float value in staging.AsSpan(target.Offset, target.Length))
            {
                if (float.IsNaN(value))
                {
                    nan++;
                }
                else if (float.IsPositiveInfinity(value))
                {
                    positive++;
                }
                else if (float.IsNegativeInfinity(value))
                {
                    negative++;
                }
            }

            if (nan + positive + negative > 0)
            {
                string[] counts = [.. new[] { (nan, "NaN"), (positive, "+Inf"), (negative, "-Inf") }.Where(count => count.Item1 > 0).Select(count => $"{count.Item1} {count.Item2}")];
                problems.Add($"{Label(target.Name, tensor.Name)}: {string.Join(", ", counts)} among {target.Length} values");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException(
                $"{source} has non-finite values in {(problems.Count == 1 ? "1 tensor" : $"{problems.Count} tensors")} (set SafeTensorsLoadOptions.AllowNonFiniteValues to load them anyway):\n  {string.Join("\n  ", problems)}");
        }
    }

    // Reads exactly destination.Length bytes, or reports how far the data section got.
    private static void Fill(Stream stream, Span<byte> destination, SafeTensorsHeader header, long consumed, string source)
    {
        int read = stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        if (read < destination.Length)
        {
            throw Truncated(source, Layout(header), header.FileLength, 8 + header.HeaderLength + consumed + read);
        }
    }

    // Up to count bytes, growing the buffer as data arrives so that a damaged length in a short stream
    // costs no more memory than the stream holds.
    private static byte[] ReadUpTo(Stream stream, int count)
    {
        var buffer = new byte[Math.Min(count, InitialHeaderBuffer)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
            }

            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                return buffer[..filled];
            }

            filled += read;
        }

        return buffer;
    }

    private static bool SameShape(IReadOnlyList<int> expected, IReadOnlyList<long> actual)
    {
        if (expected.Count != actual.Count)
        {
            return false;
        }

        for (int i = 0; i < expected.Count; i++)
        {
            if (expected[i] != actual[i])
            {
                return false;
            }
        }

        return true;
    }

    private static string Label(string networkName, string fileName) => networkName == fileName ? networkName : $"{networkName} (file: '{fileName}')";

    private static string Layout(SafeTensorsHeader header)
    {
        SafeTensorsTensorInfo? last = header.Tensors.Where(tensor => tensor.DataEnd == header.DataLength).MaxBy(tensor => tensor.DataBegin);
        string data = last is null ? "no tensor data" : $"{header.DataLength} bytes of tensor data up to the end of '{last.Name}'";
        return $"8-byte length, {header.HeaderLength}-byte header, {data}";
    }

    private static InvalidDataException Truncated(string source, string what, long expectedLength, long actualLength) =>
        new($"{source} is truncated: expected {expectedLength} bytes ({what}) but it has only {actualLength}.");
}
