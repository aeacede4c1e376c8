using CnnGen.Runtime;
using CnnGen.Runtime.Training;
using CnnGen.Runtime.Weights;
using FashionMnist;
using Spectre.Console;

// Trains FashionNet (see FashionNet.cs: the whole network is those attributes) on Fashion-MNIST,
// then saves its weights and two plots. `--help` lists the options.
return Options.CreateCommand(Run).Parse(args).Invoke();

static int Run(Options options, CancellationToken cancellationToken)
{
    if (Console.IsOutputRedirected)
    {
        AnsiConsole.Profile.Width = 200; // a log file has no width: don't wrap at Spectre's default of 80
    }

    AnsiConsole.WriteLine(FashionNet.Summary);
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

    AnsiConsole.WriteLine(
        $"Data: {data.Train.Count:N0} training and {data.Test.Count:N0} test images from {Path.GetFullPath(options.DataDirectory)}, "
        + $"normalised with the training set's mean {data.Mean:F4} and standard deviation {data.StandardDeviation:F4}.");
    AnsiConsole.WriteLine(
        $"Training: {options.Epochs} epoch(s), Adam, learning rate {options.LearningRate:G3} (linear warm-up over {options.Warmup:P0} of the steps, then cosine-annealed per step), "
        + $"batch {options.BatchSize}, seed {options.Seed}, {options.Threads} thread(s).");

    Parallelism.ThreadCount = options.Threads;
    var network = new FashionNet();
    network.ResetParameters(options.Seed);
    var trainer = new Trainer(new TrainerOptions
    {
        Epochs = options.Epochs,
        BatchSize = options.BatchSize,
        Seed = options.Seed,
        CreateOptimizer = parameterCount => new Adam(parameterCount, options.LearningRate),
        Schedule = new WarmupCosineSchedule(options.Epochs, options.Warmup),
        CheckpointDirectory = options.CheckpointDirectory,
        CheckpointInterval = options.CheckpointInterval,
        Resume = options.Resume,
    });
    var history = new TrainingHistory(data.Train.Count, options.BatchSize);
    try
    {
        IReadOnlyList<EpochResult> results = ProgressDisplay.Run(history, options.Epochs, display => trainer.Fit(network, data.Train, data.Test, display, display, cancellationToken));
        history.AddEarlierEpochs(results); // a resumed run reports only the epochs it trains
    }
    catch (OperationCanceledException)
    {
        AnsiConsole.WriteLine(options.CheckpointDirectory is null
            ? "Training cancelled; nothing saved."
            : $"Training cancelled; continue from the newest checkpoint in {options.CheckpointDirectory} with --resume.");
        return 130;
    }
    catch (Exception exception) when (exception is InvalidDataException or InvalidOperationException or TrainingDivergedException)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]Training stopped:[/] {exception.Message}");
        return 1;
    }

    foreach (string rejected in trainer.RejectedCheckpoints)
    {
        AnsiConsole.MarkupLineInterpolated($"[yellow]Passed over a damaged checkpoint:[/] {rejected}");
    }

    if (trainer.ResumedFrom is { } resumedFrom)
    {
        AnsiConsole.WriteLine($"Resumed from {resumedFrom}.");
    }

    EpochResult last = history.Epochs[^1];
    TimeSpan totalTime = history.Epochs.Aggregate(TimeSpan.Zero, (sum, result) => sum + result.Elapsed);
    AnsiConsole.WriteLine(
        $"Test accuracy after {history.Epochs.Count} epoch(s): {last.TestAccuracy:P2} (test loss {last.TestLoss:F4}); "
        + $"{totalTime.TotalSeconds:F1} s, {totalTime.TotalSeconds / history.Epochs.Count:F1} s per epoch.");
    ClassReport.Print(network, data.Test, FashionMnistData.ClassNames);

    // Save, then prove the file by loading it into a fresh network and evaluating again.
    Directory.CreateDirectory(options.OutputDirectory);
    string weightsPath = Path.Combine(options.OutputDirectory, "fashion-net" + WeightFile.Extension);
    WeightFile.Save(network, weightsPath);
    var reloaded = new FashionNet();
    WeightFile.Load(reloaded, weightsPath);
    float reloadedAccuracy = trainer.Evaluate(reloaded, data.Test).Accuracy;
    AnsiConsole.WriteLine($"Weights: {weightsPath} ({new FileInfo(weightsPath).Length:N0} bytes); reloaded, the test accuracy is {reloadedAccuracy:P2}.");

    string curvePath = Path.Combine(options.OutputDirectory, "training-curve.png");
    string filtersPath = Path.Combine(options.OutputDirectory, "conv1-filters.png");
    Plots.SaveTrainingCurve(history, curvePath);
    Plots.SaveFirstLayerFilters(network, "conv1.weight", filtersPath);
    AnsiConsole.WriteLine($"Plots: {curvePath}, {filtersPath}");
    if (reloadedAccuracy != last.TestAccuracy)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]The reloaded weights give {reloadedAccuracy:P2}, not {last.TestAccuracy:P2}.[/]");
        return 2;
    }

    return 0;
}
