namespace CnnGen.Runtime.Training;

/// <summary>
/// Per optimizer step: a linear warm-up from 0 to the base rate over the first
/// <see cref="WarmupFraction"/> of training, then a cosine from the base rate to 0 at the last step —
/// the schedule of Hugging Face's <c>get_cosine_schedule_with_warmup</c>, with progress measured in
/// steps over <see cref="Epochs"/> epochs.
/// </summary>
/// <remarks>
/// With <c>t</c> = (epoch · batchesPerEpoch + batch) / (epochs · batchesPerEpoch) and warm-up fraction <c>w</c>:
/// <c>rate = base · t / w</c> for <c>t &lt; w</c>, else <c>base · (1 + cos(π · (t − w) / (1 − w))) / 2</c>.
/// Annealing every step instead of every epoch matters for short runs: over 3 epochs an epoch schedule
/// holds the rate at 1, ¾ and ¼ of the base for a whole epoch each.
/// </remarks>
public sealed class WarmupCosineSchedule : ILearningRateSchedule
{
    /// <summary>A schedule for a run of <paramref name="epochs"/> epochs that warms up over <paramref name="warmupFraction"/> of it.</summary>
    public WarmupCosineSchedule(int epochs, double warmupFraction = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        if (!(warmupFraction is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "The warm-up fraction must be in [0, 1).");
        }

        Epochs = epochs;
        WarmupFraction = warmupFraction;
    }

    /// <summary>The length of the run the cosine spans; the rate reaches 0 at its end.</summary>
    public int Epochs { get; }

    /// <summary>The share of all steps spent warming up linearly from 0.</summary>
    public double WarmupFraction { get; }

    /// <summary>The rate at the first step of <paramref name="epoch"/>.</summary>
    public float LearningRate(int epoch, float baseRate) => LearningRate(epoch, 0, 1, baseRate);

    /// <inheritdoc/>
    public float LearningRate(int epoch, int batch, int batchesPerEpoch, float baseRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchesPerEpoch);
        double progress = Math.Min(1.0, ((epoch * (double)batchesPerEpoch) + batch) / (Epochs * (double)batchesPerEpoch));
        if (progress < WarmupFraction)
        {
            return (float)(baseRate * progress / WarmupFraction);
        }

        double annealed = (progress - WarmupFraction) / (1 - WarmupFraction);
        return (float)(baseRate * (1 + Math.Cos(Math.PI * annealed)) / 2);
    }
}
