namespace CnnGen.Runtime.Training;

/// <summary>
/// Multiplies the rate by <see cref="Gamma"/> every <see cref="StepSize"/> epochs:
/// <c>torch.optim.lr_scheduler.StepLR</c>, <c>baseRate · gamma^⌊epoch / stepSize⌋</c>.
/// </summary>
public sealed class StepSchedule : ILearningRateSchedule
{
    /// <summary>A schedule that decays by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs.</summary>
    public StepSchedule(int stepSize, float gamma = 0.1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        StepSize = stepSize;
        Gamma = HyperParameters.CheckNonNegative(gamma, nameof(gamma));
    }

    /// <summary>Epochs between two decays.</summary>
    public int StepSize { get; }

    /// <summary>The factor applied at each decay.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public float LearningRate(int epoch, float baseRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return (float)(baseRate * Math.Pow(Gamma, epoch / StepSize));
    }
}
