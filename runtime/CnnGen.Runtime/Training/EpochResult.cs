namespace CnnGen.Runtime.Training;

/// <summary>The outcome of one epoch of <see cref="Trainer.Fit"/>.</summary>
/// <param name="Epoch">The epoch, 0-based.</param>
/// <param name="LearningRate">The learning rate of the epoch's first batch (the whole epoch's with an epoch schedule).</param>
/// <param name="TrainLoss">The mean training loss per sample, measured in training mode while the parameters moved (as PyTorch training loops report it).</param>
/// <param name="TrainAccuracy">The fraction of training samples classified correctly in those same forward passes.</param>
/// <param name="TestLoss">The mean loss on the test set in inference mode after the epoch; NaN without a test set.</param>
/// <param name="TestAccuracy">The fraction of the test set classified correctly; NaN without a test set.</param>
/// <param name="Elapsed">Wall-clock time of the epoch, evaluation included.</param>
public readonly record struct EpochResult(
    int Epoch,
    float LearningRate,
    float TrainLoss,
    float TrainAccuracy,
    float TestLoss,
    float TestAccuracy,
    TimeSpan Elapsed);