namespace CnnGen.Runtime.Training;

/// <summary>Reported by <see cref="Trainer.Fit"/> after every mini-batch.</summary>
/// <param name="Epoch">The current epoch, 0-based.</param>
/// <param name="Epochs">The number of epochs of the run.</param>
/// <param name="Batch">The batch just finished, 0-based within the epoch.</param>
/// <param name="BatchesPerEpoch">Batches per epoch, the last partial batch included.</param>
/// <param name="RunningLoss">The mean loss per sample over this epoch's batches so far.</param>
/// <param name="ImagesPerSecond">Training samples per second over this epoch so far.</param>
public readonly record struct TrainingProgress(
    int Epoch,
    int Epochs,
    int Batch,
    int BatchesPerEpoch,
    float RunningLoss,
    float ImagesPerSecond);
