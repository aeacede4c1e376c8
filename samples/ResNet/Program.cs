using System.Globalization;
using CnnGen.Runtime;
using CnnGen.Runtime.Data;
using CnnGen.Runtime.Training;
using FashionMnist;
using ResNetSample;
using Spectre.Console;

// Trains ResNet-8 or ResNet-20 (ResNet8.cs, ResNet20.cs: the whole network is those attributes) on Fashion-MNIST with CnnGen, or
// with --torch the same network in libtorch through TorchSharp, from the same initial weights, on the same
// batches in the same order. `--help` lists the options.
return Options.CreateCommand(Run).Parse(args).Invoke();

static int Run(Options options, CancellationToken cancellationToken)
{
    if (Console.IsOutputRedirected)
    {
        AnsiConsole.Profile.Width = 200; // a log file has no width: don't wrap at Spectre's default of 80
    }

    string engine = options.Torch ? "libtorch" : "CnnGen";
    AnsiConsole.WriteLine(options.Depth == 20 ? ResNet20.Summary : ResNet8.Summary);
    FashionMnistData data;
    try
    {
        data = FashionMnistData.Load(options.DataDirectory);
    }
    catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]Cannot load the data:[/] {exception.Message}");
        return 1;
    }

    Dataset train = options.Limit > 0 ? data.Train.Take(Math.Min(options.Limit, data.Train.Count)) : data.Train;
    Dataset evaluation = options.Limit > 0 ? data.Test.Take(Math.Min(options.Limit, data.Test.Count)) : data.Test;
    string evaluated = "test";
    if (options.Validation > 0)
    {
        // Choosing settings: the last N training images stand in for the test set, which is not touched.
        if (options.Validation >= train.Count)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]--validation {options.Validation} leaves no training images[/] (there are {train.Count:N0}).");
            return 1;
        }

        evaluation = train.Slice(train.Count - options.Validation, options.Validation);
        train = train.Take(train.Count - options.Validation);
        evaluated = "validation";
    }

    string evaluatedTitle = char.ToUpperInvariant(evaluated[0]) + evaluated[1..];

    Augmentation? augmentation = options.Shift > 0 || options.Flip > 0
        ? new Augmentation { MaxShift = options.Shift, FlipProbability = options.Flip, FillValue = -data.Mean / data.StandardDeviation }
        : null;
    AnsiConsole.WriteLine(
        $"Data: {train.Count:N0} training and {evaluation.Count:N0} {evaluated} images from {Path.GetFullPath(options.DataDirectory)}, "
        + $"normalised with the training set's mean {data.Mean:F4} and standard deviation {data.StandardDeviation:F4}.");
    AnsiConsole.WriteLine(
        $"Training with {engine}: {options.Epochs} epoch(s), SGD with Nesterov momentum {options.Momentum:G3} and weight decay {options.WeightDecay:G3}, "
        + $"peak learning rate {options.LearningRate:G3} (linear warm-up over {options.Warmup:P0} of the steps, then cosine-annealed per step), "
        + $"batch {options.BatchSize}, augmentation: {(augmentation is null ? "none" : $"shift ±{options.Shift} px, flip p = {options.Flip:G3}")}, "
        + $"seed {options.Seed}, {options.Threads} thread(s).");

    // Both engines start from these weights: PyTorch's default initialisation, drawn by CnnGen from the seed.
    INetwork network = options.Depth == 20 ? new ResNet20() : new ResNet8();
    network.ResetParameters(options.Seed);
    var trainerOptions = new TrainerOptions
    {
        Epochs = options.Epochs,
        BatchSize = options.BatchSize,
        Seed = options.Seed,
        CreateOptimizer = parameterCount => new Sgd(parameterCount, options.LearningRate, options.Momentum, weightDecay: options.WeightDecay, nesterov: true),
        Schedule = new WarmupCosineSchedule(options.Epochs, options.Warmup),
        Augmentation = augmentation,
    };

    var history = new TrainingHistory(train.Count, options.BatchSize);
    var timer = new EpochTimer(train.Count);
    try
    {
        ProgressDisplay.Run(history, options.Epochs, display =>
        {
            var batches = new Tee<TrainingProgress>(display, timer);
            var epochs = new Tee<EpochResult>(display, timer);
            if (options.Torch)
            {
                return TorchTraining.Fit(network, options.Depth, trainerOptions, options.Threads, train, evaluation, batches, epochs, cancellationToken);
            }

            Parallelism.ThreadCount = options.Threads;
            return new Trainer(trainerOptions).Fit(network, train, evaluation, batches, epochs, cancellationToken);
        });
    }
    catch (OperationCanceledException)
    {
        AnsiConsole.WriteLine("Training cancelled; nothing saved.");
        return 130;
    }

    var table = new Table().AddColumns("Epoch", "Train loss", "Train accuracy", $"{evaluatedTitle} loss", $"{evaluatedTitle} accuracy", "Epoch time", "of which training");
    foreach (int column in Enumerable.Range(1, 6))
    {
        table.Columns[column].RightAligned();
    }

    foreach ((EpochResult result, double trainSeconds) in history.Epochs.Zip(timer.TrainingSeconds))
    {
        table.AddRow(
            (result.Epoch + 1).ToString(CultureInfo.InvariantCulture),
            $"{result.TrainLoss:F4}",
            $"{result.TrainAccuracy:P2}",
            $"{result.TestLoss:F4}",
            $"{result.TestAccuracy:P2}",
            $"{result.Elapsed.TotalSeconds:F1} s",
            $"{trainSeconds:F1} s");
    }

    AnsiConsole.WriteLine($"{engine}, ResNet-{options.Depth}, {options.Threads} thread(s):");
    AnsiConsole.Write(table);
    EpochResult last = history.Epochs[^1];
    TimeSpan totalTime = history.Epochs.Aggregate(TimeSpan.Zero, (sum, result) => sum + result.Elapsed);
    AnsiConsole.WriteLine(
        $"{evaluatedTitle} accuracy after {history.Epochs.Count} epoch(s): {last.TestAccuracy:P2} ({evaluated} loss {last.TestLoss:F4}); "
        + $"{totalTime.TotalSeconds:F1} s, {totalTime.TotalSeconds / history.Epochs.Count:F1} s per epoch.");

    Directory.CreateDirectory(options.OutputDirectory);
    string prefix = options.Torch ? "torch-" : "";
    string csvPath = Path.Combine(options.OutputDirectory, prefix + "epochs.csv");
    File.WriteAllLines(csvPath, history.Epochs.Zip(timer.TrainingSeconds).Select(pair => string.Create(
        CultureInfo.InvariantCulture,
        $"{pair.First.Epoch + 1},{pair.First.TrainLoss:F5},{pair.First.TrainAccuracy:F5},{pair.First.TestLoss:F5},{pair.First.TestAccuracy:F5},{pair.First.Elapsed.TotalSeconds:F2},{pair.Second:F2}"))
        .Prepend("epoch,train_loss,train_accuracy,test_loss,test_accuracy,epoch_seconds,training_seconds"));
    string curvePath = Path.Combine(options.OutputDirectory, prefix + "training-curve.png");
    Plots.SaveTrainingCurve(history, curvePath, $"ResNet-{options.Depth} on Fashion-MNIST ({engine}, {evaluated})");
    AnsiConsole.WriteLine($"Per-epoch figures: {csvPath}; plot: {curvePath}");
    if (!options.Torch)
    {
        // The confusion summary of the main job, in inference mode: BatchNorm uses its running statistics.
        ClassReport.Print(network, evaluation, FashionMnistData.ClassNames);
    }

    return 0;
}

/// <summary>Passes every report to two receivers.</summary>
internal sealed class Tee<T>(IProgress<T> first, IProgress<T> second) : IProgress<T>
{
    public void Report(T value)
    {
        first.Report(value);
        second.Report(value);
    }
}

/// <summary>
/// The training part of each epoch's time (the epoch time also holds the test evaluation): the last batch's
/// images per second over the whole epoch gives it exactly.
/// </summary>
internal sealed class EpochTimer(int trainCount) : IProgress<TrainingProgress>, IProgress<EpochResult>
{
    private readonly List<double> _trainingSeconds = [];
    private double _lastTrainingSeconds;

    public IReadOnlyList<double> TrainingSeconds => _trainingSeconds;

    public void Report(TrainingProgress progress)
    {
        if (progress.Batch == progress.BatchesPerEpoch - 1)
        {
            _lastTrainingSeconds = trainCount / (double)progress.ImagesPerSecond;
        }
    }

    public void Report(EpochResult result) => _trainingSeconds.Add(_lastTrainingSeconds);
}
