using System.CommandLine;
using System.CommandLine.Parsing;

namespace FashionMnist;

/// <summary>The command-line settings of one run.</summary>
/// <param name="DataDirectory">Holds the four IDX files, plain or <c>.gz</c>.</param>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="OutputDirectory">Where the weights and the two PNGs go; created if missing.</param>
/// <param name="Seed">Seeds the initial parameters, the shuffling and any dropout.</param>
/// <param name="BatchSize">Samples per Adam step.</param>
/// <param name="LearningRate">Adam's peak learning rate: reached after the warm-up, then annealed to zero along a cosine, step by step.</param>
/// <param name="Threads">Worker threads (<c>Parallelism.ThreadCount</c>); a run is reproducible for a given count.</param>
/// <param name="Warmup">The fraction of all steps over which the rate rises linearly from 0 to <paramref name="LearningRate"/>.</param>
/// <param name="CheckpointDirectory">Where the trainer writes checkpoints (every <paramref name="CheckpointInterval"/> steps and at each epoch end); <see langword="null"/> for none.</param>
/// <param name="CheckpointInterval">Optimizer steps between checkpoints within an epoch.</param>
/// <param name="Resume">Continue from the newest checkpoint in <paramref name="CheckpointDirectory"/>, if there is one.</param>
internal sealed record Options(
    string DataDirectory,
    int Epochs,
    string OutputDirectory,
    int Seed,
    int BatchSize,
    float LearningRate,
    int Threads,
    double Warmup,
    string? CheckpointDirectory = null,
    int CheckpointInterval = 0,
    bool Resume = false)
{
    /// <summary>The committed subset (samples/data), which the build copies next to the executable.</summary>
    public static string SubsetDirectory => Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>
    /// The command line: <c>--data</c>, <c>--epochs</c>, <c>--out</c>, <c>--seed</c>, <c>--batch-size</c>,
    /// <c>--learning-rate</c>, <c>--threads</c>, <c>--warmup</c>, <c>--checkpoint</c>, <c>--checkpoint-every</c>, <c>--resume</c>, with <c>--help</c>; <paramref name="run"/> gets the parsed options and a token
    /// that Ctrl+C cancels.
    /// </summary>
    public static RootCommand CreateCommand(Func<Options, CancellationToken, int> run)
    {
        // No DefaultValueFactory: help would show the build output path instead of saying what it is.
        var data = new Option<string?>("--data")
        {
            Description = "Directory of the Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], ...), e.g. "
                + "/usr/share/datasets/fashion-mnist for all 60,000 + 10,000 images. [default: the 6,000 + 2,000 image subset in samples/data]",
        };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Passes over the training set.",
            DefaultValueFactory = _ => 6,
        };
        var output = new Option<string>("--out")
        {
            Description = "Output directory for the weights and the plots.",
            DefaultValueFactory = _ => Path.Combine("artifacts", "fashion-mnist"),
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the initial parameters, the shuffling and any dropout.",
            DefaultValueFactory = _ => 1,
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Samples per optimizer step.",
            DefaultValueFactory = _ => 64,
        };
        var learningRate = new Option<float>("--learning-rate")
        {
            Description = "Adam's peak learning rate (after the warm-up; then cosine-annealed to 0, step by step).",
            DefaultValueFactory = _ => 2e-3f,
        };
        var threads = new Option<int>("--threads")
        {
            Description = "Worker threads; results are reproducible for a given count.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var warmup = new Option<double>("--warmup")
        {
            Description = "Fraction of the steps over which the learning rate rises linearly from 0.",
            DefaultValueFactory = _ => 0.1,
        };
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "Directory for checkpoints (parameters, Adam moments, random streams, position), written atomically every --checkpoint-every steps and at each epoch end.",
        };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Optimizer steps between checkpoints within an epoch (a checkpoint of FashionNet is 38 MB); 0 writes them at epoch ends only.",
            DefaultValueFactory = _ => 200,
        };
        checkpointEvery.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError($"--checkpoint-every must not be negative (got {result.GetValueOrDefault<int>()}).");
            }
        });
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue from the newest checkpoint in --checkpoint DIR, if there is one; same seed, batch size and data needed.",
        };
        warmup.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (>= 0 and < 1))
            {
                result.AddError($"--warmup must be in [0, 1) (got {result.GetValueOrDefault<double>()}).");
            }
        });
        threads.Validators.Add(result => RequirePositive(result, result.GetValueOrDefault<int>()));
        epochs.Validators.Add(result => RequirePositive(result, result.GetValueOrDefault<int>()));
        batchSize.Validators.Add(result => RequirePositive(result, result.GetValueOrDefault<int>()));
        learningRate.Validators.Add(result => RequirePositive(result, result.GetValueOrDefault<float>()));

        var command = new RootCommand("Trains FashionNet, a CnnGen-generated CNN, on Fashion-MNIST; saves its weights and plots.")
        {
            data, epochs, output, seed, batchSize, learningRate, threads, warmup, checkpoint, checkpointEvery, resume,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(resume) && result.GetValue(checkpoint) is null)
            {
                result.AddError("--resume needs --checkpoint DIR.");
            }
        });
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(run(
            new Options(
                parseResult.GetValue(data) ?? SubsetDirectory,
                parseResult.GetValue(epochs),
                parseResult.GetValue(output)!,
                parseResult.GetValue(seed),
                parseResult.GetValue(batchSize),
                parseResult.GetValue(learningRate),
                parseResult.GetValue(threads),
                parseResult.GetValue(warmup),
                parseResult.GetValue(checkpoint),
                parseResult.GetValue(checkpointEvery),
                parseResult.GetValue(resume)),
            cancellationToken)));
        return command;
    }

    private static void RequirePositive(OptionResult result, double value)
    {
        if (!(value > 0))
        {
            result.AddError($"{result.Option.Name} must be positive (got {value}).");
        }
    }
}
