using CnnGen.Runtime.Data;
using CnnGen.Runtime.Training;
using CnnGen.Runtime.Weights;

namespace CnnGen.Runtime.Tests.Training;

/// <summary>A NaN or ±∞ loss or gradient stops training before the optimizer step, naming where.</summary>
public sealed class DivergenceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cnngen-divergence-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static LinearSoftmaxNetwork NewNetwork() => new(TrainingData.BlobShape.Length, 3, seed: 2);

    // Blobs with one feature of sample `poisoned` set to `value`.
    private static Dataset Poisoned(int poisoned, float value)
    {
        Dataset blobs = TrainingData.Blobs(40, seed: 5);
        float[] images = blobs.Images.ToArray();
        images[(poisoned * TrainingData.BlobShape.Length) + 4] = value;
        return new Dataset(images, blobs.Labels.ToArray(), TrainingData.BlobShape);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_non_finite_sample_stops_training_before_the_step_naming_step_batch_and_tensor(float value)
    {
        var network = NewNetwork();
        float[] lastGood = network.Parameters.ToArray();
        var progress = new Callback<TrainingProgress>(_ => lastGood = network.Parameters.ToArray());
        var trainer = new Trainer(new TrainerOptions
        {
            Epochs = 3,
            BatchSize = 8,
            CreateOptimizer = count => new Sgd(count, 0.1f),
            CheckpointDirectory = _directory,
            CheckpointInterval = 1,
        });

        var exception = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(network, Poisoned(17, value), batchProgress: progress));

        Assert.Equal(0, exception.Epoch);
        Assert.Equal(network.TrainingForwardCalls, exception.Step);
        Assert.Equal(exception.Step, exception.Batch + 1);
        Assert.Equal("linear.weight", exception.TensorName);
        Assert.Contains($"Training diverged at step {exception.Step} (epoch 0, batch {exception.Batch})", exception.Message);
        Assert.Contains("the first non-finite gradient is in 'linear.weight'", exception.Message);
        Assert.Equal(lastGood, network.Parameters.ToArray()); // the step was not taken
        if (exception.Step > 1)
        {
            // The newest checkpoint is that of the last finite step.
            SafeTensorsHeader header = SafeTensors.ReadHeader(Path.Combine(_directory, "checkpoint.safetensors"));
            Assert.Equal($"{exception.Step - 1}", header.Metadata["optimizer_steps"]);
        }
    }

    [Fact]
    public void A_non_finite_loss_with_finite_gradients_is_also_divergence()
    {
        var trainer = new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 8, Loss = new FixedLoss(float.NaN, 0.5f) });

        var exception = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(NewNetwork(), TrainingData.Blobs(40, seed: 5)));

        Assert.Equal((1, 0, 0), (exception.Step, exception.Epoch, exception.Batch));
        Assert.Null(exception.TensorName);
        Assert.Contains("the loss is NaN and every gradient is finite", exception.Message);
    }

    [Fact]
    public void Finite_gradients_whose_sum_overflows_do_not_stop_training()
    {
        // Each output gradient is 3e38 (finite); 21 parameter gradients of about that size sum to +∞.
        var network = NewNetwork();
        var trainer = new Trainer(new TrainerOptions
        {
            Epochs = 1,
            BatchSize = 1,
            CreateOptimizer = count => new Sgd(count, 1e-40f),
            Loss = new FixedLoss(1f, 3e38f),
        });
        float[] ones = [.. Enumerable.Repeat(1f, 4 * TrainingData.BlobShape.Length)];

        trainer.Fit(network, new Dataset(ones, [0, 1, 2, 0], TrainingData.BlobShape));

        Assert.Equal(4, network.TrainingForwardCalls);
        Assert.True(network.Gradients.ToArray().All(float.IsFinite));
    }

    // A loss of a fixed value whose gradient is a fixed value for every output.
    private sealed class FixedLoss(float loss, float gradient) : ILoss<int>
    {
        public float Loss(ReadOnlySpan<float> outputs, ReadOnlySpan<int> targets) => loss;

        public float Backward(ReadOnlySpan<float> outputs, ReadOnlySpan<int> targets, Span<float> outputGradient)
        {
            outputGradient.Fill(gradient);
            return loss;
        }
    }
}
