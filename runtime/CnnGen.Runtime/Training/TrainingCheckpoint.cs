using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using CnnGen.Runtime.Weights;

namespace CnnGen.Runtime.Training;

/// <summary>
/// Everything but the tensors that a run needs to continue bit for bit from where a checkpoint was
/// written, and the settings it must be resumed with. Stored as the checkpoint file's safetensors
/// <c>__metadata__</c> (strings; floats and random states as their exact bits in hex), with a CRC-32
/// over the metadata and every tensor value so that a damaged file is never resumed from.
/// </summary>
internal sealed class TrainingCheckpoint
{
    private const string FormatName = "cnngen-checkpoint-1";
    private const string ChecksumKey = "crc32";

    /// <summary>The run's identity: a checkpoint resumes only a run with the same values.</summary>
    public required RunIdentity Run { get; init; }

    /// <summary>The next batch to train: batch <see cref="Batch"/> of epoch <see cref="Epoch"/> (0-based).</summary>
    public required int Epoch { get; init; }

    public required int Batch { get; init; }

    /// <summary>Optimizer steps taken so far.</summary>
    public required int OptimizerSteps { get; init; }

    /// <summary>The dropout stream (<see cref="INetwork.Random"/>) and the augmentation stream, as they are now.</summary>
    public required UInt128 NetworkRandom { get; init; }

    public required UInt128 AugmentationRandom { get; init; }

    /// <summary>The shuffling stream before it shuffled epoch <see cref="Epoch"/>: a resume shuffles that epoch again.</summary>
    public required UInt128 ShuffleRandom { get; init; }

    /// <summary>The running sums of epoch <see cref="Epoch"/> over its batches before <see cref="Batch"/>.</summary>
    public required double EpochLossSum { get; init; }

    public required int EpochCorrect { get; init; }

    public required int EpochSeen { get; init; }

    public required TimeSpan EpochElapsed { get; init; }

    /// <summary>The results of the epochs before <see cref="Epoch"/>.</summary>
    public required IReadOnlyList<EpochResult> History { get; init; }

    /// <summary>The metadata of a file of <paramref name="tensors"/>, checksum included.</summary>
    public Dictionary<string, string> ToMetadata(CheckpointTensors tensors)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = FormatName,
            ["network"] = Run.Network,
            ["optimizer"] = Run.Optimizer,
            ["seed"] = Text(Run.Seed),
            ["batch_size"] = Text(Run.BatchSize),
            ["train_count"] = Text(Run.TrainCount),
            ["epoch"] = Text(Epoch),
            ["batch"] = Text(Batch),
            ["optimizer_steps"] = Text(OptimizerSteps),
            ["random.network"] = NetworkRandom.ToString("X32", CultureInfo.InvariantCulture),
            ["random.augmentation"] = AugmentationRandom.ToString("X32", CultureInfo.InvariantCulture),
            ["random.shuffle"] = ShuffleRandom.ToString("X32", CultureInfo.InvariantCulture),
            ["epoch.loss_sum"] = Bits(EpochLossSum),
            ["epoch.correct"] = Text(EpochCorrect),
            ["epoch.seen"] = Text(EpochSeen),
            ["epoch.elapsed_ticks"] = Text(EpochElapsed.Ticks),
            ["history"] = string.Join(";", History.Select(Encode)),
        };
        metadata[ChecksumKey] = Checksum(metadata, tensors).ToString("X8", CultureInfo.InvariantCulture);
        return metadata;
    }

    /// <summary>Reads the metadata of a checkpoint whose tensors were loaded into <paramref name="tensors"/>.</summary>
    /// <exception cref="InvalidDataException">The checksum does not match, or a value is missing or malformed.</exception>
    public static TrainingCheckpoint FromMetadata(IReadOnlyDictionary<string, string> metadata, CheckpointTensors tensors, string source)
    {
        var reader = new MetadataReader(metadata, source);
        if (reader.String("format") != FormatName)
        {
            throw new InvalidDataException($"{source}: not a CnnGen checkpoint (metadata format '{reader.String("format")}', expected '{FormatName}').");
        }

        uint stored = reader.Hex32(ChecksumKey);
        uint actual = Checksum(metadata, tensors);
        if (stored != actual)
        {
            throw new InvalidDataException($"{source}: checksum mismatch: the file stores CRC-32 0x{stored:X8} but its metadata and tensors give 0x{actual:X8}; the file is corrupt.");
        }

        return new TrainingCheckpoint
        {
            Run = new RunIdentity(reader.String("network"), reader.String("optimizer"), reader.Int("seed"), reader.Int("batch_size"), reader.Int("train_count")),
            Epoch = reader.Int("epoch"),
            Batch = reader.Int("batch"),
            OptimizerSteps = reader.Int("optimizer_steps"),
            NetworkRandom = reader.Random("random.network"),
            AugmentationRandom = reader.Random("random.augmentation"),
            ShuffleRandom = reader.Random("random.shuffle"),
            EpochLossSum = BitConverter.Int64BitsToDouble((long)reader.Hex64("epoch.loss_sum")),
            EpochCorrect = reader.Int("epoch.correct"),
            EpochSeen = reader.Int("epoch.seen"),
            EpochElapsed = TimeSpan.FromTicks(reader.Long("epoch.elapsed_ticks")),
            History = reader.History("history"),
        };
    }

    // CRC-32 of every metadata entry but the checksum (sorted by key, each "key\0value\0" in UTF-8), then of the
    // bytes of the parameters and optimizer buffers, the network's state and its counters.
    private static uint Checksum(IReadOnlyDictionary<string, string> metadata, CheckpointTensors tensors)
    {
        uint state = Crc32.Initial;
        foreach (KeyValuePair<string, string> pair in metadata.Where(pair => pair.Key != ChecksumKey).OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            state = Crc32.Append(state, Encoding.UTF8.GetBytes($"{pair.Key}\0{pair.Value}\0"));
        }

        state = Crc32.Append(state, MemoryMarshal.AsBytes(tensors.Values));
        state = Crc32.Append(state, MemoryMarshal.AsBytes(tensors.State));
        return Crc32.Finish(Crc32.Append(state, MemoryMarshal.AsBytes(tensors.BatchesTracked)));
    }

    private static string Encode(EpochResult result) => string.Join(
        ",",
        Text(result.Epoch),
        Bits(result.LearningRate),
        Bits(result.TrainLoss),
        Bits(result.TrainAccuracy),
        Bits(result.TestLoss),
        Bits(result.TestAccuracy),
        Text(result.Elapsed.Ticks));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Bits(float value) => BitConverter.SingleToUInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture);

    private static string Bits(double value) => BitConverter.DoubleToUInt64Bits(value).ToString("X16", CultureInfo.InvariantCulture);

    // Parses metadata values; anything missing or malformed is an InvalidDataException naming the key.
    private readonly struct MetadataReader(IReadOnlyDictionary<string, string> metadata, string source)
    {
        public string String(string key) => metadata.TryGetValue(key, out string? value)
            ? value
            : throw new InvalidDataException($"{source}: the checkpoint metadata has no '{key}'.");

        public int Int(string key) => Parse(key, String(key), static text => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture));

        public long Long(string key) => Parse(key, String(key), static text => long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture));

        public uint Hex32(string key) => Parse(key, String(key), static text => uint.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));

        public ulong Hex64(string key) => Parse(key, String(key), static text => ulong.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));

        public UInt128 Random(string key) => Parse(key, String(key), static text =>
        {
            UInt128 state = UInt128.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            return state != UInt128.Zero ? state : throw new FormatException("the all-zero random state");
        });

        public EpochResult[] History(string key) => Parse<EpochResult[]>(key, String(key), static text => text.Length == 0 ? [] : [.. text.Split(';').Select(entry =>
        {
            string[] fields = entry.Split(',');
            if (fields.Length != 7)
            {
                throw new FormatException($"an epoch of {fields.Length} fields, not 7");
            }

            float Single(int field) => BitConverter.UInt32BitsToSingle(uint.Parse(fields[field], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
            return new EpochResult(
                int.Parse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture),
                Single(1),
                Single(2),
                Single(3),
                Single(4),
                Single(5),
                TimeSpan.FromTicks(long.Parse(fields[6], NumberStyles.None, CultureInfo.InvariantCulture)));
        })]);

        private T Parse<T>(string key, string text, Func<string, T> parse)
        {
            try
            {
                return parse(text);
            }
            catch (Exception exception) when (exception is FormatException or OverflowException)
            {
                throw new InvalidDataException($"{source}: the checkpoint metadata '{key}' = '{text}' is malformed ({exception.Message}).", exception);
            }
        }
    }
}

/// <summary>What a checkpoint must share with the run that resumes from it.</summary>
internal sealed record RunIdentity(string Network, string Optimizer, int Seed, int BatchSize, int TrainCount)
{
    /// <summary>"name: checkpoint value, run value" for every setting that differs from <paramref name="run"/>'s.</summary>
    public IEnumerable<string> Differences(RunIdentity run)
    {
        (string Name, object Checkpoint, object Run)[] settings =
        [
            ("network", Network, run.Network),
            ("optimizer", Optimizer, run.Optimizer),
            ("seed", Seed, run.Seed),
            ("batch size", BatchSize, run.BatchSize),
            ("training samples", TrainCount, run.TrainCount),
        ];
        return settings
            .Where(setting => !setting.Checkpoint.Equals(setting.Run))
            .Select(setting => $"{setting.Name}: {setting.Checkpoint} in the checkpoint, {setting.Run} in this run");
    }
}
