using CnnGen.Runtime;
using CnnGen.Runtime.Data;
using CnnGen.Runtime.Training;

namespace CnnGen.Integration.Tests;

/// <summary>A convolutional network with dropout, whose weight gradients are summed per worker.</summary>
[Network]
[Input(1, 16, 16)]
[Conv2D(16, 3, Padding = 1), Relu, MaxPool2D(2)]
[Conv2D(32, 3, Padding = 1), Relu, MaxPool2D(2)]
[Flatten, Dropout(0.3), Dense(10)]
internal partial class DeterminismConvNet;

/// <summary>Dense layers and dropout only: every sum over the batch is a GEMM.</summary>
[Network]
[Input(1, 16, 16)]
[Flatten, Dense(256), Relu, Dropout(0.3), Dense(128), Relu, Dense(10)]
internal partial class DeterminismDenseNet;

/// <summary>
/// Pins what the documentation promises about reproducible training: the same seed gives the same
/// parameters bit for bit at a given <see cref="Parallelism.ThreadCount"/> (README, Parallelism), and
/// the GEMM's results do not depend on the thread count (Gemm: depth is never split), so a network whose
/// batch sums are all GEMMs trains to the same bits at any thread count. Convolutions sum their weight
/// gradients per worker and add the workers' sums after the pass, so a convolutional network's training
/// depends on the thread count (deterministic for each count, not across counts).
/// </summary>
[Collection(nameof(ThreadCountCollection))]
public sealed class TrainingDeterminismTests
{
    private static int[] Train(Func<INetwork> create, int threads, int seed)
    {
        int previous = Parallelism.ThreadCount;
        Parallelism.ThreadCount = threads;
        try
        {
            INetwork network = create();
            network.ResetParameters(7);
            var random = new RandomSource(3);
            var images = new float[192 * network.InputLength];
            random.FillUniform(images, 0f, 1f);
            int[] labels = [.. Enumerable.Range(0, 192).Select(index => index % 10)];
            int side = (int)Math.Sqrt(network.InputLength);
            var trainer = new Trainer(new TrainerOptions
            {
                Epochs = 2,
                BatchSize = 64, // the dense weight gradients (256 × 256 × 64) are big enough for the GEMM to split them
                Seed = seed,
                CreateOptimizer = count => new Adam(count, learningRate: 0.01f),
            });
            trainer.Fit(network, new Dataset(images, labels, new SampleShape(1, side, side)));
            return [.. network.Parameters.ToArray().Select(BitConverter.SingleToInt32Bits)];
        }
        finally
        {
            Parallelism.ThreadCount = previous;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_same_seed_gives_the_same_parameters_bit_for_bit_run_to_run(int threads)
    {
        int[] first = Train(() => new DeterminismConvNet(), threads, seed: 1);
        int[] second = Train(() => new DeterminismConvNet(), threads, seed: 1);
        int[] otherSeed = Train(() => new DeterminismConvNet(), threads, seed: 2);

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed); // the seed reaches shuffling and dropout
    }

    [Fact]
    public void A_network_of_dense_layers_trains_to_the_same_bits_at_any_thread_count()
    {
        int[] one = Train(() => new DeterminismDenseNet(), threads: 1, seed: 1);

        Assert.Equal(one, Train(() => new DeterminismDenseNet(), threads: 2, seed: 1));
        Assert.Equal(one, Train(() => new DeterminismDenseNet(), threads: 3, seed: 1));
    }
}
