namespace CnnGen.Runtime.Weights;

/// <summary>
/// Reads and writes <see href="https://github.com/huggingface/safetensors">safetensors</see>, the format
/// PyTorch users export with <c>safetensors.torch.save_file(model.state_dict(), path)</c>, by the
/// <c>state_dict</c> names of <see cref="INetwork.ParameterTensors"/>.
/// </summary>
/// <remarks>
/// <para><b>Format.</b> An unsigned 64-bit little-endian N; N bytes of UTF-8 JSON (an object, optionally
/// padded with spaces) mapping each tensor name to <c>{"dtype": "F32", "shape": [32, 1, 5, 5],
/// "data_offsets": [begin, end]}</c>, plus an optional <c>"__metadata__"</c> object of strings; then the
/// data, row-major and little-endian, offsets counted from the start of the data.</para>
/// <para><b>Checks</b>, all before the network is touched, each failure an <see cref="InvalidDataException"/>
/// naming the file and the problem: the header length (at most
/// <see cref="MaxHeaderLength"/>) and the file length (a truncated file says how many bytes it should
/// have and has; a path load also rejects bytes after the data); strict JSON without duplicate keys;
/// every tensor's byte length equal to its element count times its dtype's size; offsets that cover the
/// data from 0 without gaps or overlaps, in any order. Then the file is matched to the network and
/// <b>every</b> mismatch is listed in one message: missing tensors, tensors whose shape differs
/// (expected and actual shape), dtypes that cannot be loaded, and tensors the network does not have
/// (an error unless <see cref="SafeTensorsLoadOptions.IgnoreExtraTensors"/>). Finally the data is read
/// into a temporary buffer and checked for NaN and ±∞.</para>
/// <para><b>Names.</b> A layer named <c>conv1</c> owns <c>conv1.weight</c> (PyTorch's layout, Conv2d
/// <c>[out, in, kH, kW]</c>, Linear <c>[out, in]</c>) and <c>conv1.bias</c>; a file written from a PyTorch
/// module with attributes of the same names matches as is. Other names (<c>nn.Sequential</c>'s
/// <c>0.weight</c>, <c>3.weight</c>, …) need <see cref="SafeTensorsLoadOptions.TensorNames"/>, which
/// <see cref="SafeTensorsNameMap"/> builds by position when asked explicitly (the file itself does not
/// record the order of <c>parameters()</c>).</para>
/// <para><b>Dtypes.</b> F32 is read as is; F16 (through <see cref="Half"/>) and BF16 (its bits shifted into
/// the top half of a float32) convert exactly; F64 is rounded to the nearest float32. Any other dtype of a
/// tensor the network needs is a mismatch naming the tensor and the dtype. Saving writes F32.</para>
/// <para><b>NaN and infinity.</b> By default a load fails if any loaded value is NaN or ±∞, listing each
/// such tensor with its counts: a network with such a weight outputs NaN for every input, and the usual
/// cause (a diverged training run) is better caught when the weights arrive than at the first
/// prediction. <see cref="SafeTensorsLoadOptions.AllowNonFiniteValues"/> loads them anyway. Saving writes
/// whatever the parameters hold.</para>
/// </remarks>
public static class SafeTensors
{
    /// <summary>The largest JSON header this runtime reads (as the reference implementation: 100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>The customary file extension.</summary>
    public const string Extension = ".safetensors";

    /// <summary>
    /// Writes every tensor of <paramref name="network"/> as F32 to <paramref name="path"/> exactly as
    /// PyTorch's <c>save_file</c> would write them (names sorted, header padded to 8 bytes), replacing the
    /// file only once the new one is complete.
    /// </summary>
    /// <param name="network">The network whose <see cref="INetwork.ParameterTensors"/> are written.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="metadata">
    /// The <c>__metadata__</c> map; <see langword="null"/> writes <c>{"format": "pt"}</c> (what
    /// Hugging Face tools expect of a PyTorch file), an empty map writes none.
    /// </param>
    /// <param name="tensorNames">Network tensor name → name in the file (see <see cref="SafeTensorsLoadOptions.TensorNames"/>); others keep their own.</param>
    public static void Save(
        INetwork network, string path, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyDictionary<string, string>? tensorNames = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeTensorsWriter.Prepared prepared = SafeTensorsWriter.Prepare(network, metadata, tensorNames); // before any file is created
        string temporaryPath = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                SafeTensorsWriter.Write(network, prepared, stream);
            }

            File.Move(temporaryPath, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(temporaryPath))
            {
                File.Delete(temporaryPath);
            }

            throw;
        }
    }

    /// <summary>Writes every tensor of <paramref name="network"/> to <paramref name="stream"/> at its current position.</summary>
    /// <param name="network">The network whose <see cref="INetwork.ParameterTensors"/> are written.</param>
    /// <param name="stream">Where the file goes.</param>
    /// <param name="metadata">The <c>__metadata__</c> map; <see langword="null"/> writes <c>{"format": "pt"}</c>, an empty map writes none.</param>
    /// <param name="tensorNames">Network tensor name → name in the file; others keep their own.</param>
    public static void Save(
        INetwork network, Stream stream, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyDictionary<string, string>? tensorNames = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        SafeTensorsWriter.Write(network, SafeTensorsWriter.Prepare(network, metadata, tensorNames), stream);
    }

    /// <summary>
    /// Loads <paramref name="path"/> into the parameters of <paramref name="network"/> after checking all of it
    /// (see the remarks on <see cref="SafeTensors"/>). The file must end where its data ends.
    /// </summary>
    /// <exception cref="InvalidDataException">
/// The file is malformed, truncated, does not fit the network (every mismatch on its own line) or holds
/// NaN or ±∞; the network is unchanged.
/// </exception>
    /// <exception cref="ArgumentException"><see cref="SafeTensorsLoadOptions.TensorNames"/> names a tensor the network does not have, or maps two tensors to one name.</exception>
    public static void Load(INetwork network, string path, SafeTensorsLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        SafeTensorsReader.Load(network, stream, $"Safetensors file '{path}'", options ?? SafeTensorsLoadOptions.Default, requireEnd: true);
    }

    /// <summary>
    /// Loads one safetensors file from <paramref name="stream"/> (from its current position; it need not
    /// seek) into the parameters of <paramref name="network"/>, leaving the stream just after the data.
    /// </summary>
    /// <inheritdoc cref="Load(INetwork, string, SafeTensorsLoadOptions?)" path="/exception"/>
    public static void Load(INetwork network, Stream stream, SafeTensorsLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        SafeTensorsReader.Load(network, stream, "Safetensors stream", options ?? SafeTensorsLoadOptions.Default, requireEnd: false);
    }

    /// <summary>
    /// Reads and checks the header of <paramref name="path"/> (and that the file has exactly the length it
    /// implies) without reading the tensor data: names, dtypes, shapes and metadata.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed or truncated.</exception>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return SafeTensorsReader.ReadHeader(stream, $"Safetensors file '{path}'", requireEnd: true);
    }

    /// <summary>
    /// Reads and checks a safetensors header from <paramref name="stream"/>, leaving the stream at the start
    /// of the tensor data. A seekable stream is also checked to hold all of the data.
    /// </summary>
    /// <exception cref="InvalidDataException">The header is malformed, or the stream is truncated.</exception>
    public static SafeTensorsHeader ReadHeader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return SafeTensorsReader.ReadHeader(stream, "Safetensors stream", requireEnd: false);
    }
}
