using CnnGen.Runtime.Data;
using CnnGen.Runtime.Training;

namespace CnnGen.Runtime.Tests.Training;

public class TrainerTests
{
    private static readonly SampleShape BlobShape = TrainingData.BlobShape;

    private static Dataset Blobs(int count, ulong seed) => TrainingData.Blobs(count, seed);

    /// <summary>Sample i has feature 0 = i, so the network can tell which samples it was shown.</summary>
    private static Dataset Indexed(int count)
    {
        var images = new float[count * BlobShape.Length];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            images[n * BlobShape.Length] = n;
            labels[n] = n % 3;
        }

        return new Dataset(images, labels, BlobShape);
    }

    private static LinearSoftmaxNetwork NewNetwork(int seed = 1) => new(BlobShape.Length, 3, seed);

    private sealed class Recorder<T> : IProgress<T>
    {
        public List<T> Items { get; } = [];

        public void Report(T value) => Items.Add(value);
    }

    [Fact]
    public void Softmax_regression_learns_a_separable_problem()
    {
        var trainer = new Trainer(new TrainerOptions
        {
            Epochs = 15,
            BatchSize = 16,
            Seed = 1,
            CreateOptimizer = count => new Sgd(count, 0.2f, momentum: 0.9f),
        });
        var network = NewNetwork();

        IReadOnlyList<EpochResult> history = trainer.Fit(network, Blobs(150, seed: 1), Blobs(60, seed: 2));

        Assert.Equal(15, history.Count);
        Assert.True(history[^1].TrainLoss < 0.05f, $"final training loss {history[^1].TrainLoss}");
        Assert.True(history[^1].TestLoss < 0.05f, $"final test loss {history[^1].TestLoss}");
        Assert.Equal(1f, history[^1].TestAccuracy);
        Assert.Equal(1f, history[^1].TrainAccuracy);
        Assert.True(history[0].TrainLoss > 4 * history[^1].TrainLoss);
        Assert.False(network.IsTraining);
    }

    [Fact]
    public void Adam_with_cosine_annealing_and_augmentation_also_converges()
    {
        var trainer = new Trainer(new TrainerOptions
        {
            Epochs = 20,
            BatchSize = 32,
            Seed = 4,
            CreateOptimizer = count => new Adam(count, learningRate: 0.05f),
            Schedule = new CosineAnnealingSchedule(20),
            Augmentation = new Augmentation { NoiseStandardDeviation = 0.1f },
        });

        IReadOnlyList<EpochResult> history = trainer.Fit(NewNetwork(), Blobs(300, seed: 3), Blobs(60, seed: 4));

        Assert.True(history[^1].TestLoss < 0.1f, $"final test loss {history[^1].TestLoss}");
        Assert.Equal(1f, history[^1].TestAccuracy);
    }

    [Fact]
    public void Two_runs_with_the_same_seed_are_equal_bit_for_bit()
    {
        var options = new TrainerOptions
        {
            Epochs = 3,
            BatchSize = 7,
            Seed = 123,
            CreateOptimizer = count => new AdamW(count, learningRate: 0.01f),
            Augmentation = new Augmentation { FlipProbability = 0.5f, MaxShift = 1, NoiseStandardDeviation = 0.05f },
        };
        Dataset train = Blobs(40, seed: 5), test = Blobs(10, seed: 6);

        (float[] Parameters, IReadOnlyList<EpochResult> History) Run(int seed)
        {
            var network = NewNetwork(seed: 9);
            var history = new Trainer(options with { Seed = seed }).Fit(network, train, test);
            return (network.Parameters.ToArray(), history);
        }

        var first = Run(123);
        var second = Run(123);
        var other = Run(124);

        Assert.Equal(
            first.Parameters.Select(BitConverter.SingleToInt32Bits),
            second.Parameters.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(
            first.History.Select(r => (r.TrainLoss, r.TrainAccuracy, r.TestLoss, r.TestAccuracy)),
            second.History.Select(r => (r.TrainLoss, r.TrainAccuracy, r.TestLoss, r.TestAccuracy)));
        Assert.NotEqual(first.Parameters, other.Parameters);
    }

    [Fact]
    public void Every_epoch_shows_every_sample_once_in_a_new_order_and_keeps_the_last_partial_batch()
    {
        var network = NewNetwork();
        var trainer = new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 16, CreateOptimizer = count => new Sgd(count, 0f) });

        trainer.Fit(network, Indexed(50));

        Assert.Equal([16, 16, 16, 2, 16, 16, 16, 2], network.TrainingBatchSizes.ToArray());
        Assert.Equal(8, network.ZeroGradientsCalls);
        float[] seen = network.TrainingFirstFeatures.ToArray();
        float[] epoch0 = seen[..50], epoch1 = seen[50..];
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), epoch0.Order());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), epoch1.Order());
        Assert.NotEqual(epoch0, epoch1);
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => (float)i), epoch0);
    }

    [Fact]
    public void Progress_is_reported_per_batch_and_per_epoch()
    {
        var batches = new Recorder<TrainingProgress>();
        var epochs = new Recorder<EpochResult>();
        var trainer = new Trainer(new TrainerOptions { Epochs = 3, BatchSize = 16, CreateOptimizer = count => new Sgd(count, 0.1f) });

        IReadOnlyList<EpochResult> history = trainer.Fit(NewNetwork(), Blobs(40, seed: 1), test: null, batches, epochs);

        Assert.Equal(9, batches.Items.Count);
        Assert.Equal(
            [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)],
            batches.Items.Select(p => (p.Epoch, p.Batch)));
        Assert.All(batches.Items, p => Assert.Equal((3, 3), (p.Epochs, p.BatchesPerEpoch)));
        Assert.All(batches.Items, p => Assert.True(p.ImagesPerSecond > 0 && p.RunningLoss > 0));
        Assert.Equal(history, epochs.Items);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            // The running mean after the last batch is the epoch's training loss.
            Assert.Equal(history[epoch].TrainLoss, batches.Items[3 * epoch + 2].RunningLoss);
            Assert.Equal(epoch, history[epoch].Epoch);
            Assert.True(float.IsNaN(history[epoch].TestLoss) && float.IsNaN(history[epoch].TestAccuracy));
            Assert.True(history[epoch].Elapsed > TimeSpan.Zero);
        }
    }

    [Fact]
    public void The_schedule_sets_the_learning_rate_of_each_epoch_from_the_optimizers_initial_rate()
    {
        var trainer = new Trainer(new TrainerOptions
        {
            Epochs = 4,
            BatchSize = 8,
            CreateOptimizer = count => new Sgd(count, 0.4f),
            Schedule = new StepSchedule(stepSize: 1, gamma: 0.5f),
        });

        IReadOnlyList<EpochResult> history = trainer.Fit(NewNetwork(), Blobs(16, seed: 1));

        Assert.Equal([0.4f, 0.2f, 0.1f, 0.05f], history.Select(r => r.LearningRate));
    }

    [Fact]
    public void A_per_batch_schedule_sets_the_rate_before_every_optimizer_step()
    {
        var schedule = new RecordingSchedule(rate: 0f);
        var network = NewNetwork(seed: 2);
        float[] before = network.Parameters.ToArray();
        var trainer = new Trainer(new TrainerOptions
        {
            Epochs = 2,
            BatchSize = 8,
            CreateOptimizer = count => new Sgd(count, 0.4f),
            Schedule = schedule,
        });

        trainer.Fit(network, Blobs(20, seed: 1));

        // 3 batches per epoch (8, 8, 4); each epoch also asks once for its reported rate (batch 0).
        Assert.Equal(
            [(0, 0, 3), (0, 0, 3), (0, 1, 3), (0, 2, 3), (1, 0, 3), (1, 0, 3), (1, 1, 3), (1, 2, 3)],
            schedule.Calls);
        Assert.Equal(before, network.Parameters.ToArray()); // every step ran at the schedule's rate 0, not SGD's 0.4
    }

    private sealed class RecordingSchedule(float rate) : ILearningRateSchedule
    {
        public List<(int Epoch, int Batch, int BatchesPerEpoch)> Calls { get; } = [];

        public float LearningRate(int epoch, float baseRate) => throw new InvalidOperationException("The trainer must ask per batch.");

        public float LearningRate(int epoch, int batch, int batchesPerEpoch, float baseRate)
        {
            Calls.Add((epoch, batch, batchesPerEpoch));
            return rate;
        }
    }

    [Fact]
    public void Evaluate_runs_in_inference_mode_and_matches_per_sample_forward_passes()
    {
        var network = NewNetwork(seed: 3);
        network.IsTraining = true;
        Dataset data = Blobs(23, seed: 8);
        var trainer = new Trainer(new TrainerOptions { BatchSize = 5 });

        EvaluationResult result = trainer.Evaluate(network, data);

        double loss = 0;
        int correct = 0;
        var logits = new float[3];
        for (int n = 0; n < data.Count; n++)
        {
            network.Forward(data.Image(n), logits);
            double max = logits.Max();
            double logSumExp = max + Math.Log(logits.Sum(x => Math.Exp(x - max)));
            loss += logSumExp - logits[data.Labels[n]];
            correct += Array.IndexOf(logits, logits.Max()) == data.Labels[n] ? 1 : 0;
        }

        Assert.False(network.IsTraining);
        Assert.Equal(5, network.InferenceForwardCalls); // batches of 5, 5, 5, 5, 3
        Assert.Equal(0, network.TrainingForwardCalls);
        Assert.Equal(23, result.Count);
        Assert.Equal(loss / 23, result.Loss, 1e-5);
        Assert.Equal((float)correct / 23, result.Accuracy);
    }

    [Fact]
    public void Steps_allocate_nothing_after_the_first_batch()
    {
        var probe = new AllocationProbe(epochs: 3, batchesPerEpoch: 4);
        var trainer = new Trainer(new TrainerOptions
        {
            Epochs = 3,
            BatchSize = 10,
            CreateOptimizer = count => new Adam(count),
            Augmentation = new Augmentation { FlipProbability = 0.5f, MaxShift = 1, NoiseStandardDeviation = 0.1f },
        });
        Dataset train = Blobs(40, seed: 1), test = Blobs(20, seed: 2);
        var network = NewNetwork();

        trainer.Fit(network, train, test, probe);

        Assert.Equal(0, probe.AllocatedBetweenFirstAndLastBatch);
    }

    private sealed class AllocationProbe(int epochs, int batchesPerEpoch) : IProgress<TrainingProgress>
    {
        private long _afterFirstBatch;

        public long AllocatedBetweenFirstAndLastBatch { get; private set; } = -1;

        public void Report(TrainingProgress value)
        {
            if (value is { Epoch: 0, Batch: 0 })
            {
                _afterFirstBatch = GC.GetAllocatedBytesForCurrentThread();
            }
            else if (value.Epoch == epochs - 1 && value.Batch == batchesPerEpoch - 1)
            {
                AllocatedBetweenFirstAndLastBatch = GC.GetAllocatedBytesForCurrentThread() - _afterFirstBatch;
            }
        }
    }

    [Fact]
    public void Cancellation_stops_before_the_next_batch()
    {
        using var cancellation = new CancellationTokenSource();
        var trainer = new Trainer(new TrainerOptions { Epochs = 5, BatchSize = 4 });
        var network = NewNetwork();
        var progress = new CancelAfter(cancellation, batches: 3);

        Assert.Throws<OperationCanceledException>(() => trainer.Fit(network, Blobs(40, seed: 1), batchProgress: progress, cancellationToken: cancellation.Token));
        Assert.Equal(3, network.TrainingForwardCalls);
    }

    private sealed class CancelAfter(CancellationTokenSource source, int batches) : IProgress<TrainingProgress>
    {
        private int _seen;

        public void Report(TrainingProgress value)
        {
            if (++_seen == batches)
            {
                source.Cancel();
            }
        }
    }

    [Fact]
    public void Incompatible_datasets_and_settings_are_refused_with_the_numbers()
    {
        var trainer = new Trainer(new TrainerOptions());
        var network = NewNetwork();

        var shape = Assert.Throws<ArgumentException>(() => trainer.Fit(network, new Dataset(new float[8], [0, 1], new SampleShape(1, 2, 2))));
        Assert.Contains("6 floats per sample", shape.Message);
        Assert.Contains("(1,2,2) = 4 floats", shape.Message);

        var labels = Assert.Throws<ArgumentException>(() => trainer.Fit(network, new Dataset(new float[12], [0, 5], BlobShape)));
        Assert.Contains("go up to 5", labels.Message);
        Assert.Contains("3 outputs", labels.Message);

        Assert.Throws<ArgumentException>(() => trainer.Fit(network, new Dataset([], [], BlobShape)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(new TrainerOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(new TrainerOptions { Epochs = 0 }));

        var wrongOptimizer = new Trainer(new TrainerOptions { CreateOptimizer = count => new Sgd(count + 1, 0.1f) });
        var optimizer = Assert.Throws<InvalidOperationException>(() => wrongOptimizer.Fit(network, Blobs(3, seed: 1)));
        Assert.Contains("22", optimizer.Message);
        Assert.Contains("21", optimizer.Message);
    }
}
