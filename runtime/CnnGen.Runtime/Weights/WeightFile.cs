namespace CnnGen.Runtime.Weights;

/// <summary>
/// CnnGen's own weight file: a network's whole <c>state_dict</c> — every tensor of
/// <see cref="INetwork.ParameterTensors"/> and <see cref="INetwork.StateTensors"/> (BatchNorm's running
/// statistics) with its name and shape, as float32, and the <see cref="INetwork.BatchesTracked"/> counters
/// (<c>num_batches_tracked</c>) as int64 — and a CRC-32, so that a load can tell a corrupt file from a file
/// of another network and say exactly what differs.
/// </summary>
/// <remarks>
/// <para>Layout, format version 2 (every integer a little-endian int32 unless said, every float a little-endian IEEE float32):</para>
/// <code>
/// offset              bytes   field
/// 0                   8       magic "CNNGENW1" (ASCII)
/// 8                   4       format version, 2
/// 12                  4       T, the number of float tensors (parameters, then state)
/// 16                  4       P, the number of parameters
/// 20                  4       S, the number of floats of state
/// 24                  4       C, the number of counters
/// 28                  4       L, the length of the tensor table in bytes, a multiple of 8
/// 32                  L       tensor table: T float entries, C counter entries, then zero bytes up to L
///                               float entry: name length n, n bytes of UTF-8 name (PyTorch state_dict name:
///                               "conv1.weight", "bn1.running_mean"), rank r, r sizes (PyTorch layout: Conv2d
///                               [out, in, kH, kW]), offset of the first float in the floats section
///                               counter entry: name length n, n bytes of UTF-8 name ("bn1.num_batches_tracked")
/// 32 + L              8·C     counters: little-endian int64, in table order
/// 32 + L + 8·C        4·(P+S) floats: the parameters in INetwork.Parameters order, then the state in INetwork.State order
/// ... + 4·(P+S)       4       CRC-32 (zlib/gzip/PNG) of every byte before it, header included
/// </code>
/// <para>
/// Version 1, still read, is version 2 without S, C, the counter entries and the counters (a 24-byte header:
/// magic, version, T, P, L): parameters only. Such a file loads its parameters and resets the state to what
/// PyTorch starts from (<see cref="INetwork.ResetState"/>: running means 0, variances 1, counters 0), whatever
/// the network held before — the result is that of loading it into a new network, as a safetensors file without
/// <c>num_batches_tracked</c> leaves that counter at 0.
/// </para>
/// <para>
/// <see cref="Load(INetwork, string)"/> checks, in this order, the magic, the version, the length
/// (truncated or trailing bytes), the CRC-32, the table's consistency, then every tensor and counter of the
/// network against the table by name and shape. Only when everything holds does it copy, tensor by
/// tensor and by name, into <see cref="INetwork.Parameters"/>, <see cref="INetwork.State"/> and
/// <see cref="INetwork.BatchesTracked"/>; a failed load leaves the network as it was. Every failure is an
/// <see cref="InvalidDataException"/> that names the file and the problem; name and shape mismatches
/// (missing running statistics or counters included) are listed all together.
/// </para>
/// </remarks>
public static class WeightFile
{
    /// <summary>The first eight bytes of every weight file, <c>CNNGENW1</c> in ASCII.</summary>
    public static ReadOnlySpan<byte> Magic => "CNNGENW1"u8;

    /// <summary>The format version this runtime writes; it reads this one and version 1.</summary>
    public const int FormatVersion = 2;

    /// <summary>The customary file extension.</summary>
    public const string Extension = ".cnnw";

    /// <summary>
    /// Writes the parameters, state and counters of <paramref name="network"/> to <paramref name="path"/>, replacing the file
    /// only once the new one is complete (written next to it, then moved over it).
    /// </summary>
    public static void Save(INetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        StateDict.Of(network); // checks the network before any file is created
        string temporaryPath = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                WeightFileWriter.Write(network, stream);
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

    /// <summary>Writes the parameters, state and counters of <paramref name="network"/> to <paramref name="stream"/> at its current position.</summary>
    public static void Save(INetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        WeightFileWriter.Write(network, stream);
    }

    /// <summary>
    /// Reads <paramref name="path"/> into the parameters, state and counters of <paramref name="network"/> after checking the
    /// whole file (see the remarks on <see cref="WeightFile"/>). The file must end at the checksum.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is corrupt or does not fit the network; the network is unchanged.</exception>
    public static void Load(INetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        WeightFileReader.Read(stream, $"Weight file '{path}'", requireEndOfStream: true).CopyInto(network);
    }

    /// <summary>
    /// Reads one weight file from <paramref name="stream"/> into the parameters, state and counters of <paramref name="network"/>
    /// after checking all of it, and leaves the stream just after its checksum.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is corrupt or does not fit the network; the network is unchanged.</exception>
    public static void Load(INetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        WeightFileReader.Read(stream, "Weight stream", requireEndOfStream: false).CopyInto(network);
    }
}
