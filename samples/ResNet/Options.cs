using System.CommandLine;
using System.CommandLine.Parsing;

namespace ResNetSample;

/// <summary>The command-line settings of one run (README.md: the defaults were chosen on a validation split).</summary>
internal sealed record Options(
    string DataDirectory,
    int Depth,
    int Epochs,
    int Limit,
    int Validation,
    string OutputDirectory,
    int Seed,
    int BatchSize,
    float LearningRate,
    float Momentum,
    float WeightDecay,
    double Warmup,
    int Shift,
    float Flip,
    int Threads,
    bool Torch)
{
    /// <summary>Where Debian's and Ubuntu's <c>dataset-fashion-mnist</c> package installs the full data set.</summary>
    public const string DefaultDataDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The command line; <paramref name="run"/> gets the parsed options and a token that Ctrl+C cancels.</summary>
    public static RootCommand CreateCommand(Func<Options, CancellationToken, int> run)
    {
        var data = new Option<string>("--data")
        {
            Description = "Directory of the Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], ...); "
                + "samples/data holds a 6,000 + 2,000 image subset.",
            DefaultValueFactory = _ => DefaultDataDirectory,
        };
        var depth = new Option<int>("--depth")
        {
            Description = "20 (ResNet20.cs: three basic blocks per stage) or 8 (ResNet8.cs: one per stage, about a third of the compute).",
            DefaultValueFactory = _ => 20,
        };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => 5 };
        var limit = new Option<int>("--limit")
        {
            Description = "Train on the first N training images and test on the first N test images (a smoke run); 0 = all.",
            DefaultValueFactory = _ => 0,
        };
        var validation = new Option<int>("--validation")
        {
            Description = "Hold out the last N training images and evaluate on them instead of the test set (for choosing settings); 0 = train on all, evaluate on the test set.",
            DefaultValueFactory = _ => 0,
        };
        var output = new Option<string>("--out")
        {
            Description = "Output directory for the weights and the plots.",
            DefaultValueFactory = _ => Path.Combine("artifacts", "resnet"),
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial parameters, the shuffling and the augmentation.", DefaultValueFactory = _ => 1 };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per optimizer step.", DefaultValueFactory = _ => 128 };
        var learningRate = new Option<float>("--learning-rate")
        {
            Description = "SGD's peak learning rate (after the warm-up; then cosine-annealed to 0, step by step).",
            DefaultValueFactory = _ => 0.2f,
        };
        var momentum = new Option<float>("--momentum") { Description = "SGD's Nesterov momentum.", DefaultValueFactory = _ => 0.9f };
        var weightDecay = new Option<float>("--weight-decay") { Description = "SGD's L2 weight decay.", DefaultValueFactory = _ => 5e-4f };
        var warmup = new Option<double>("--warmup")
        {
            Description = "Fraction of the steps over which the learning rate rises linearly from 0.",
            DefaultValueFactory = _ => 0.1,
        };
        var shift = new Option<int>("--shift")
        {
            Description = "Random translation by up to N pixels with black fill (= random crop after N pixels of padding); 0 = none.",
            DefaultValueFactory = _ => 0,
        };
        var flip = new Option<float>("--flip") { Description = "Probability of a horizontal flip while training.", DefaultValueFactory = _ => 0f };
        var threads = new Option<int>("--threads")
        {
            Description = "Threads: CnnGen's Parallelism.ThreadCount, or torch.set_num_threads with --torch.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var torch = new Option<bool>("--torch")
        {
            Description = "Train the same network in libtorch (TorchSharp) instead: same initial weights, data order, augmentation, optimizer, schedule and batch size.",
        };
        depth.Validators.Add(result => Require(result, result.GetValueOrDefault<int>() is 8 or 20, "8 or 20"));
        warmup.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (>= 0 and < 1))
            {
                result.AddError($"--warmup must be in [0, 1) (got {result.GetValueOrDefault<double>()}).");
            }
        });
        flip.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<float>() is not (>= 0 and <= 1))
            {
                result.AddError($"--flip must be in [0, 1] (got {result.GetValueOrDefault<float>()}).");
            }
        });
        foreach (Option<int> positive in new[] { epochs, batchSize, threads })
        {
            positive.Validators.Add(result => Require(result, result.GetValueOrDefault<int>() > 0, "positive"));
        }

        limit.Validators.Add(result => Require(result, result.GetValueOrDefault<int>() >= 0, "non-negative"));
        validation.Validators.Add(result => Require(result, result.GetValueOrDefault<int>() >= 0, "non-negative"));
        shift.Validators.Add(result => Require(result, result.GetValueOrDefault<int>() >= 0, "non-negative"));
        learningRate.Validators.Add(result => Require(result, result.GetValueOrDefault<float>() > 0, "positive"));
        momentum.Validators.Add(result => Require(result, result.GetValueOrDefault<float>() > 0, "positive (Nesterov needs momentum)"));
        weightDecay.Validators.Add(result => Require(result, result.GetValueOrDefault<float>() >= 0, "non-negative"));

        var command = new RootCommand("Trains ResNet-8 or ResNet-20, CnnGen-generated networks, on Fashion-MNIST (or, with --torch, the same network in libtorch).")
        {
            data, depth, epochs, limit, validation, output, seed, batchSize, learningRate, momentum, weightDecay, warmup, shift, flip, threads, torch,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(run(
            new Options(
                parseResult.GetValue(data)!,
                parseResult.GetValue(depth),
                parseResult.GetValue(epochs),
                parseResult.GetValue(limit),
                parseResult.GetValue(validation),
                parseResult.GetValue(output)!,
                parseResult.GetValue(seed),
                parseResult.GetValue(batchSize),
                parseResult.GetValue(learningRate),
                parseResult.GetValue(momentum),
                parseResult.GetValue(weightDecay),
                parseResult.GetValue(warmup),
                parseResult.GetValue(shift),
                parseResult.GetValue(flip),
                parseResult.GetValue(threads),
                parseResult.GetValue(torch)),
            cancellationToken)));
        return command;
    }

    private static void Require(OptionResult result, bool holds, string what)
    {
        if (!holds)
        {
            result.AddError($"{result.Option.Name} must be {what}.");
        }
    }
}
