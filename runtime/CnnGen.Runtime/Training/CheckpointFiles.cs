using CnnGen.Runtime.Weights;

namespace CnnGen.Runtime.Training;

/// <summary>
/// The checkpoint files of a directory: <c>checkpoint.safetensors</c> (the newest) and
/// <c>checkpoint.previous.safetensors</c> (the one before). A new checkpoint is written to
/// <c>checkpoint.safetensors.tmp</c> and flushed to the disk; only then does the newest become the
/// previous and the new file the newest (two renames). A process killed at any point leaves either
/// file complete, and a newest file that is damaged anyway (its CRC-32 or structure fails) is passed
/// over for the previous one.
/// </summary>
internal static class CheckpointFiles
{
    public const string NewestName = "checkpoint" + SafeTensors.Extension;
    public const string PreviousName = "checkpoint.previous" + SafeTensors.Extension;
    private const string TemporaryName = NewestName + ".tmp";

    /// <summary>Writes <paramref name="tensors"/> (already gathered) and <paramref name="checkpoint"/> as the newest checkpoint.</summary>
    public static void Write(string directory, CheckpointTensors tensors, TrainingCheckpoint checkpoint)
    {
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, TemporaryName), newest = Path.Combine(directory, NewestName);
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
        {
            SafeTensors.Save(tensors, stream, checkpoint.ToMetadata(tensors));
            stream.Flush(flushToDisk: true);
        }

        if (File.Exists(newest))
        {
            File.Move(newest, Path.Combine(directory, PreviousName), overwrite: true);
        }

        File.Move(temporary, newest);
    }

    /// <summary>
    /// The newest sound checkpoint of <paramref name="directory"/>, loaded into <paramref name="tensors"/>,
    /// or <see langword="null"/> if there is none. <paramref name="rejected"/> receives why a file was passed over.
    /// </summary>
    /// <exception cref="InvalidDataException">Checkpoint files exist but none is sound.</exception>
    public static (TrainingCheckpoint Checkpoint, string Path)? ReadNewest(string directory, CheckpointTensors tensors, List<string> rejected)
    {
        foreach (string name in (ReadOnlySpan<string>)[NewestName, PreviousName])
        {
            string path = Path.Combine(directory, name);
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                string source = $"Checkpoint '{path}'";
                SafeTensorsHeader header = SafeTensors.ReadHeader(path);
                SafeTensors.Load(tensors, path);
                return (TrainingCheckpoint.FromMetadata(header.Metadata, tensors, source), path);
            }
            catch (InvalidDataException exception)
            {
                rejected.Add(exception.Message);
            }
        }

        return rejected.Count == 0
            ? null
            : throw new InvalidDataException($"No sound checkpoint in '{directory}':\n  {string.Join("\n  ", rejected)}");
    }
}
