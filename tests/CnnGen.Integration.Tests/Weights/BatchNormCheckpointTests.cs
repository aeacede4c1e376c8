using CnnGen.Runtime;
using CnnGen.Runtime.Data;
using CnnGen.Runtime.Training;

namespace CnnGen.Integration.Tests.Weights;

/// <summary>
/// A BatchNorm network stopped mid-run and resumed from the trainer's checkpoint continues with its running
/// statistics and num_batches_tracked: it ends with the parameters, state and counts of a run never stopped,
/// bit for bit. (The kill-and-resume test in CnnGen.Checkpoint.Tests does the same with SIGKILL; this one is
/// in-process and quick.)
/// </summary>
public sealed class BatchNormCheckpointTests : IDisposable
{
    private const int Epochs = 2, BatchSize = 4, Interval = 3, TrainCount = 24;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cnngen-bn-checkpoint-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void A_resumed_run_continues_with_the_running_statistics_and_counts_it_stopped_with()
    {
        Dataset train = Data(TrainCount, seed: 3), test = Data(8, seed: 4);
        TrainerOptions options = new()
        {
            Epochs = Epochs,
            BatchSize = BatchSize,
            Seed = 7,
            CreateOptimizer = count => new Sgd(count, 0.05f, momentum: 0.9f),
        };

        ConvBatchNorm uninterrupted = NewNetwork();
        new Trainer(options).Fit(uninterrupted, train, test);
        Assert.Equal([(long)Epochs * TrainCount / BatchSize], uninterrupted.BatchesTracked.ToArray());

        using (var cancellation = new CancellationTokenSource())
        {
            int steps = 0;
            var progress = new Progress(() =>
            {
                if (++steps == 8) // past the checkpoint after step 6, in the second epoch
                {
                    cancellation.Cancel();
                }
            });
            Assert.Throws<OperationCanceledException>(() => new Trainer(options with { CheckpointDirectory = _directory, CheckpointInterval = Interval })
                .Fit(NewNetwork(), train, test, progress, cancellationToken: cancellation.Token));
        }

        ConvBatchNorm resumed = NewNetwork();
        var trainer = new Trainer(options with { CheckpointDirectory = _directory, CheckpointInterval = Interval, Resume = true });
        trainer.Fit(resumed, train, test);

        Assert.NotNull(trainer.ResumedFrom);
        Assert.Equal(Bits(uninterrupted.Parameters), Bits(resumed.Parameters));
        Assert.Equal(Bits(uninterrupted.State), Bits(resumed.State));
        Assert.Equal(uninterrupted.BatchesTracked.ToArray(), resumed.BatchesTracked.ToArray());
    }

    private static ConvBatchNorm NewNetwork()
    {
        var network = new ConvBatchNorm();
        network.ResetParameters(seed: 5);
        return network;
    }

    // Two classes of 2×5×5 images: the class's channel brighter, on uniform noise.
    private static Dataset Data(int count, int seed)
    {
        var random = new Random(seed);
        float[] images = Support.TestData.Uniform(random, count * ConvBatchNorm.InputLength, 0, 1);
        int[] labels = [.. Enumerable.Range(0, count).Select(n => n % 2)];
        for (int n = 0; n < count; n++)
        {
            images.AsSpan((n * ConvBatchNorm.InputLength) + (labels[n] * 25), 25).Fill(2);
        }

        return new Dataset(images, labels, new SampleShape(2, 5, 5));
    }

    private static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];

    private sealed class Progress(Action report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report();
    }
}
