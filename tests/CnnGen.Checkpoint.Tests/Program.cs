using System.Globalization;
using System.Runtime.InteropServices;
using CnnGen.Runtime;
using CnnGen.Runtime.Data;
using CnnGen.Runtime.Training;

namespace CnnGen.Checkpoint.Tests;

/// <summary>
/// The child process of <see cref="KillAndResumeTests"/>: <c>train DIR EPOCHS CHECKPOINT(0|1) RESUME(0|1)</c>
/// trains <see cref="CheckpointNet"/> on one thread, checkpointing after every step into DIR/checkpoints,
/// prints <c>step N</c> after each step and, when done, writes the bytes of the parameters, the BatchNorm
/// state and its counters to DIR/parameters.bin and the epoch results' bits to DIR/history.txt.
/// </summary>
public static class Program
{
    public const int BatchSize = 8, TrainCount = 240;

    public static int Main(string[] args)
    {
        if (args is not ["train", string directory, string epochsText, string checkpoint, string resume])
        {
            Console.Error.WriteLine("usage: train DIR EPOCHS CHECKPOINT(0|1) RESUME(0|1)");
            return 2;
        }

        Parallelism.ThreadCount = 1;
        int epochs = int.Parse(epochsText, CultureInfo.InvariantCulture);
        Dataset train = QuadrantData.Create(TrainCount, seed: 1), test = QuadrantData.Create(40, seed: 2);
        var network = new CheckpointNet();
        network.ResetParameters(3);
        var trainer = new Trainer(new TrainerOptions
        {
            Epochs = epochs,
            BatchSize = BatchSize,
            Seed = 5,
            CreateOptimizer = count => new Adam(count, learningRate: 0.01f),
            Schedule = new WarmupCosineSchedule(epochs, warmupFraction: 0.1),
            Augmentation = new Augmentation { MaxShift = 1, NoiseStandardDeviation = 0.05f },
            CheckpointDirectory = checkpoint == "1" ? Path.Combine(directory, "checkpoints") : null,
            CheckpointInterval = 1,
            Resume = resume == "1",
        });
        int batchesPerEpoch = (TrainCount + BatchSize - 1) / BatchSize;
        var progress = new StepPrinter(batchesPerEpoch);
        IReadOnlyList<EpochResult> history = trainer.Fit(network, train, test, progress);
        Console.WriteLine($"resumed from {trainer.ResumedFrom ?? "nothing"}; {trainer.RejectedCheckpoints.Count} rejected");
        INetwork trained = network;
        File.WriteAllBytes(
            Path.Combine(directory, "parameters.bin"),
            [.. MemoryMarshal.AsBytes(trained.Parameters), .. MemoryMarshal.AsBytes(trained.State), .. MemoryMarshal.AsBytes(trained.BatchesTracked)]);
        File.WriteAllLines(Path.Combine(directory, "history.txt"), history.Select(result =>
            $"{result.Epoch} {BitConverter.SingleToInt32Bits(result.TrainLoss):X8} {BitConverter.SingleToInt32Bits(result.TrainAccuracy):X8} {BitConverter.SingleToInt32Bits(result.TestLoss):X8} {BitConverter.SingleToInt32Bits(result.TestAccuracy):X8}"));
        return 0;
    }

    private sealed class StepPrinter(int batchesPerEpoch) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => Console.WriteLine($"step {(value.Epoch * batchesPerEpoch) + value.Batch + 1}");
    }
}
