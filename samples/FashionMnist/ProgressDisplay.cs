using CnnGen.Runtime.Training;
using Spectre.Console;

namespace FashionMnist;

/// <summary>
/// One Spectre.Console progress bar per epoch, showing the running loss and images per second while the
/// epoch trains and its test accuracy once it is done; every report also goes into a <see cref="TrainingHistory"/>.
/// </summary>
/// <remarks>
/// Without a terminal (output redirected, CI) Spectre.Console cannot draw live bars; the display then
/// prints plain lines instead: the running loss and speed at every tenth of an epoch, and each epoch's
/// results when it ends.
/// </remarks>
internal sealed class ProgressDisplay : IProgress<TrainingProgress>, IProgress<EpochResult>
{
    private readonly ProgressContext? _context;
    private readonly TrainingHistory _history;
    private readonly int _epochs;
    private ProgressTask? _epochTask;
    private int _tenthsReported;

    private ProgressDisplay(ProgressContext? context, TrainingHistory history, int epochs)
    {
        _context = context;
        _history = history;
        _epochs = epochs;
    }

    /// <summary>Runs <paramref name="train"/> with a display to report to, live bars if the console is interactive.</summary>
    public static T Run<T>(TrainingHistory history, int epochs, Func<ProgressDisplay, T> train)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return train(new ProgressDisplay(context: null, history, epochs));
        }

        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .Start(context => train(new ProgressDisplay(context, history, epochs)));
    }

    /// <summary>After every batch: the bar and the running loss and speed.</summary>
    public void Report(TrainingProgress progress)
    {
        _history.Add(progress);
        if (_context is null)
        {
            ReportAsText(progress);
            return;
        }

        _epochTask ??= _context.AddTask(EpochLabel(progress.Epoch), maxValue: progress.BatchesPerEpoch);
        _epochTask.Value = progress.Batch + 1;
        _epochTask.Description = $"{EpochLabel(progress.Epoch)}  loss {progress.RunningLoss:F4}  {progress.ImagesPerSecond,6:N0} img/s";
    }

    /// <summary>After every epoch: the final training loss and the test accuracy.</summary>
    public void Report(EpochResult result)
    {
        _history.Add(result);
        if (_epochTask is null)
        {
            AnsiConsole.WriteLine(
                $"{EpochLabel(result.Epoch)}: train loss {result.TrainLoss:F4}, train accuracy {result.TrainAccuracy:P2}, "
                + $"test loss {result.TestLoss:F4}, test accuracy {result.TestAccuracy:P2}, "
                + $"learning rate at the epoch's start {result.LearningRate:G3}, {result.Elapsed.TotalSeconds:F1} s");
            return;
        }

        _epochTask.Description = $"{EpochLabel(result.Epoch)}  loss {result.TrainLoss:F4}  test accuracy {result.TestAccuracy:P2}";
        _epochTask.StopTask();
        _epochTask = null;
    }

    // Without bars: a line at every tenth of an epoch, so that a long epoch in a log still shows life.
    private void ReportAsText(TrainingProgress progress)
    {
        int tenths = 10 * (progress.Batch + 1) / progress.BatchesPerEpoch;
        if (progress.Batch == 0)
        {
            _tenthsReported = 0;
        }

        if (tenths > _tenthsReported && tenths < 10)
        {
            _tenthsReported = tenths;
            AnsiConsole.WriteLine(
                $"{EpochLabel(progress.Epoch)}: {tenths * 10,2}%  loss {progress.RunningLoss:F4}  {progress.ImagesPerSecond:N0} img/s");
        }
    }

    private string EpochLabel(int epoch) => $"Epoch {epoch + 1}/{_epochs}";
}
