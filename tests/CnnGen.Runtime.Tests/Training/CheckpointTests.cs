using System.Text;
using CnnGen.Runtime.Data;
using CnnGen.Runtime.Training;
using CnnGen.Runtime.Weights;

namespace CnnGen.Runtime.Tests.Training;

/// <summary>
/// A run stopped anywhere and resumed from its newest checkpoint ends with the parameters and the
/// epoch results of a run never stopped, bit for bit; damaged checkpoints are never resumed from.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private const int Epochs = 3, BatchSize = 7, Interval = 4;
    private static readonly Dataset Train = TrainingData.Blobs(40, seed: 5), Test = TrainingData.Blobs(10, seed: 6);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cnngen-checkpoint-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    public static TheoryData<string> Optimizers() => ["adam", "adamw", "sgd-momentum", "sgd"];

    private static TrainerOptions Options(string optimizer) => new()
    {
        Epochs = Epochs,
        BatchSize = BatchSize,
        Seed = 11,
        CreateOptimizer = optimizer switch
        {
            "adam" => count => new Adam(count, learningRate: 0.05f),
            "adamw" => count => new AdamW(count, learningRate: 0.05f),
            "sgd-momentum" => count => new Sgd(count, 0.1f, momentum: 0.9f, nesterov: true),
            _ => count => new Sgd(count, 0.1f),
        },
        Schedule = new WarmupCosineSchedule(Epochs, warmupFraction: 0.2),
        Augmentation = new Augmentation { FlipProbability = 0.5f, MaxShift = 1, NoiseStandardDeviation = 0.05f },
    };

    private static LinearSoftmaxNetwork NewNetwork() => new(TrainingData.BlobShape.Length, 3, seed: 2) { InputDropout = 0.2f };

    private static (int[] Parameters, IReadOnlyList<EpochResult> History) Uninterrupted(TrainerOptions options)
    {
        var network = NewNetwork();
        IReadOnlyList<EpochResult> history = new Trainer(options).Fit(network, Train, Test);
        return (Bits(network.Parameters), history);
    }

    private static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];

    private static IEnumerable<(float, float, float, float, int, float)> Results(IReadOnlyList<EpochResult> history) =>
        history.Select(r => (r.TrainLoss, r.TrainAccuracy, r.TestLoss, r.TestAccuracy, r.Epoch, r.LearningRate));

    // Trains until `batches` optimizer steps are done, then cancels (as a kill would stop it, minus the kill).
    private void RunAndStopAfter(TrainerOptions options, int batches)
    {
        using var cancellation = new CancellationTokenSource();
        int done = 0;
        var progress = new Callback<TrainingProgress>(_ =>
        {
            if (++done == batches)
            {
                cancellation.Cancel();
            }
        });
        Assert.Throws<OperationCanceledException>(() => new Trainer(options with { CheckpointDirectory = _directory, CheckpointInterval = Interval })
            .Fit(NewNetwork(), Train, Test, progress, cancellationToken: cancellation.Token));
    }

    private (int[] Parameters, IReadOnlyList<EpochResult> History, Trainer Trainer) Resume(TrainerOptions options)
    {
        var network = NewNetwork();
        var trainer = new Trainer(options with { CheckpointDirectory = _directory, CheckpointInterval = Interval, Resume = true });
        IReadOnlyList<EpochResult> history = trainer.Fit(network, Train, Test);
        return (Bits(network.Parameters), history, trainer);
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void A_run_stopped_after_any_batch_and_resumed_ends_as_an_uninterrupted_run_bit_for_bit(string optimizer)
    {
        TrainerOptions options = Options(optimizer);
        var expected = Uninterrupted(options);
        int steps = Epochs * ((Train.Count + BatchSize - 1) / BatchSize);
        for (int stop = 1; stop < steps; stop++)
        {
            Dispose();
            RunAndStopAfter(options, stop);
            var resumed = Resume(options);

            Assert.Equal(expected.Parameters, resumed.Parameters);
            Assert.Equal(Results(expected.History), Results(resumed.History));
            Assert.Equal(stop >= Interval, resumed.Trainer.ResumedFrom is not null);
        }
    }

    [Fact]
    public void Checkpoints_hold_the_parameters_under_their_names_and_the_optimizer_moments_per_tensor()
    {
        RunAndStopAfter(Options("adam"), 5);

        SafeTensorsHeader header = SafeTensors.ReadHeader(Path.Combine(_directory, "checkpoint.safetensors"));

        Assert.Equal(
            ["linear.bias", "linear.weight", "optimizer.exp_avg.linear.bias", "optimizer.exp_avg.linear.weight", "optimizer.exp_avg_sq.linear.bias", "optimizer.exp_avg_sq.linear.weight"],
            header.TensorNames.Order(StringComparer.Ordinal));
        Assert.Equal(("0", "4", "4"), (header.Metadata["epoch"], header.Metadata["batch"], header.Metadata["optimizer_steps"]));
        Assert.False(File.Exists(Path.Combine(_directory, "checkpoint.safetensors.tmp")));
    }

    public static TheoryData<string> Damages() => ["truncated", "data byte", "metadata digit", "empty", "leftover temporary"];

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_newest_checkpoint_is_passed_over_for_the_previous_one(string damage)
    {
        TrainerOptions options = Options("adam");
        var expected = Uninterrupted(options);
        RunAndStopAfter(options, 2 * Interval + 1); // checkpoints after steps 4 and 8
        string newest = Path.Combine(_directory, "checkpoint.safetensors");
        byte[] bytes = File.ReadAllBytes(newest);
        switch (damage)
        {
            case "truncated":
                File.WriteAllBytes(newest, bytes[..^5]);
                break;
            case "data byte":
                bytes[^3] ^= 0x01;
                File.WriteAllBytes(newest, bytes);
                break;
            case "metadata digit":
                int at = Encoding.ASCII.GetString(bytes).IndexOf("\"optimizer_steps\":\"8\"", StringComparison.Ordinal);
                bytes[at + "\"optimizer_steps\":\"".Length] = (byte)'9';
                File.WriteAllBytes(newest, bytes);
                break;
            case "empty":
                File.WriteAllBytes(newest, []);
                break;
            default:
                // A kill during a write leaves the temporary file; the newest one was written before it.
                File.WriteAllBytes(newest + ".tmp", bytes[..100]);
                break;
        }

        var resumed = Resume(options);

        bool damaged = damage != "leftover temporary";
        Assert.Equal(damaged ? "checkpoint.previous.safetensors" : "checkpoint.safetensors", Path.GetFileName(resumed.Trainer.ResumedFrom));
        Assert.Equal(damaged ? 1 : 0, resumed.Trainer.RejectedCheckpoints.Count);
        Assert.Equal(expected.Parameters, resumed.Parameters);
        Assert.Equal(Results(expected.History), Results(resumed.History));
    }

    [Fact]
    public void A_kill_between_the_two_renames_resumes_from_the_previous_checkpoint()
    {
        TrainerOptions options = Options("adam");
        var expected = Uninterrupted(options);
        RunAndStopAfter(options, 2 * Interval + 1);
        File.Move(Path.Combine(_directory, "checkpoint.safetensors"), Path.Combine(_directory, "checkpoint.safetensors.tmp"));

        var resumed = Resume(options);

        Assert.Equal("checkpoint.previous.safetensors", Path.GetFileName(resumed.Trainer.ResumedFrom));
        Assert.Equal(expected.Parameters, resumed.Parameters);
    }

    [Fact]
    public void When_every_checkpoint_is_damaged_the_resume_fails_listing_each()
    {
        RunAndStopAfter(Options("adam"), 2 * Interval + 1);
        File.WriteAllBytes(Path.Combine(_directory, "checkpoint.safetensors"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(_directory, "checkpoint.previous.safetensors"), [4, 5, 6]);

        var exception = Assert.Throws<InvalidDataException>(() => Resume(Options("adam")));

        Assert.Contains("No sound checkpoint", exception.Message);
        Assert.Contains("checkpoint.safetensors' is truncated", exception.Message);
        Assert.Contains("checkpoint.previous.safetensors' is truncated", exception.Message);
    }

    [Fact]
    public void A_checkpoint_of_other_settings_is_refused_naming_both_values()
    {
        RunAndStopAfter(Options("adam"), Interval + 1);

        var exception = Assert.Throws<InvalidOperationException>(() => Resume(Options("adam") with { BatchSize = 8, Seed = 12 }));

        Assert.Contains("seed: 11 in the checkpoint, 12 in this run", exception.Message);
        Assert.Contains("batch size: 7 in the checkpoint, 8 in this run", exception.Message);
    }

    [Fact]
    public void A_checkpoint_of_another_optimizer_is_refused()
    {
        RunAndStopAfter(Options("adam"), Interval + 1);

        var exception = Assert.Throws<InvalidDataException>(() => Resume(Options("sgd-momentum")));

        Assert.Contains("optimizer.momentum_buffer.linear.weight", exception.Message);
    }

    [Fact]
    public void An_optimizer_that_does_not_expose_its_state_cannot_be_checkpointed()
    {
        var options = Options("adam") with { CreateOptimizer = count => new StatelessOptimizer(count), CheckpointDirectory = _directory };
        var network = NewNetwork();

        var exception = Assert.Throws<NotSupportedException>(() => new Trainer(options).Fit(network, Train, Test));

        Assert.Contains("StatelessOptimizer does not expose its state", exception.Message);
        Assert.Equal(0, network.TrainingForwardCalls); // refused before training
    }

    private sealed class StatelessOptimizer(int parameterCount) : IOptimizer
    {
        public float LearningRate { get; set; } = 0.1f;

        public int ParameterCount => parameterCount;

        public int StepCount => 0;

        public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
        {
        }

        public void Reset()
        {
        }
    }

    [Fact]
    public void Resume_needs_a_checkpoint_directory() =>
        Assert.Throws<ArgumentException>(() => new Trainer(Options("adam") with { Resume = true }));

    [Fact]
    public void The_random_state_round_trips_and_zero_is_refused()
    {
        var source = new RandomSource(42);
        source.NextUInt32();
        UInt128 state = source.State;
        uint[] first = [source.NextUInt32(), source.NextUInt32(), source.NextUInt32()];

        var other = new RandomSource(7) { State = state };

        uint[] again = [other.NextUInt32(), other.NextUInt32(), other.NextUInt32()];
        Assert.Equal(first, again);
        Assert.Throws<ArgumentOutOfRangeException>(() => other.State = UInt128.Zero);
    }
}
