namespace CnnGen.Runtime.Training;

/// <summary>
/// Thrown by <see cref="Trainer.Fit"/> when a batch's loss or gradient is NaN or ±∞, before the
/// optimizer step that would spread it into the parameters: the parameters are those of the last
/// finite step and the newest checkpoint (if any) stays the last good one.
/// </summary>
public sealed class TrainingDivergedException : ArithmeticException
{
    /// <summary>A diverged-training error with the place it happened.</summary>
    public TrainingDivergedException(string message, int step, int epoch, int batch, float loss, string? tensorName)
        : base(message)
    {
        Step = step;
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
        TensorName = tensorName;
    }

    /// <summary>The optimizer step (1-based, counted over the whole run) that was not taken.</summary>
    public int Step { get; }

    /// <summary>The epoch of the batch, 0-based.</summary>
    public int Epoch { get; }

    /// <summary>The batch within the epoch, 0-based.</summary>
    public int Batch { get; }

    /// <summary>The batch's mean loss (possibly finite when only a gradient is not).</summary>
    public float Loss { get; }

    /// <summary>
    /// The first tensor of <see cref="INetwork.ParameterTensors"/> (the order of the layers) whose
    /// gradient holds a NaN or ±∞, or <see langword="null"/> when every gradient is finite.
    /// </summary>
    public string? TensorName { get; }
}
