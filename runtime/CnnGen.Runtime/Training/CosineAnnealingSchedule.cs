namespace CnnGen.Runtime.Training;

/// <summary>
/// Cosine annealing from the base rate down to <see cref="MinimumRate"/> over
/// <see cref="Period"/> epochs: <c>torch.optim.lr_scheduler.CosineAnnealingLR(T_max, eta_min)</c>
/// stepped once per epoch.
/// </summary>
/// <remarks>
/// <c>rate(epoch) = minimum + (base − minimum) · (1 + cos(π · epoch / period)) / 2</c>, PyTorch's
/// closed form. Past <see cref="Period"/> the cosine keeps going, so the rate rises again, as in
/// PyTorch; set the period to the number of epochs to end near the minimum.
/// </remarks>
public sealed class CosineAnnealingSchedule : ILearningRateSchedule
{
    /// <summary>A schedule that reaches <paramref name="minimumRate"/> after <paramref name="period"/> epochs.</summary>
    public CosineAnnealingSchedule(int period, float minimumRate = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(period);
        Period = period;
        MinimumRate = HyperParameters.CheckNonNegative(minimumRate, nameof(minimumRate));
    }

    /// <summary>Epochs from the base rate to the minimum (<c>T_max</c>).</summary>
    public int Period { get; }

    /// <summary>The rate at the end of the period (<c>eta_min</c>).</summary>
    public float MinimumRate { get; }

    /// <inheritdoc/>
    public float LearningRate(int epoch, float baseRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return (float)(MinimumRate + (baseRate - (double)MinimumRate) * (1 + Math.Cos(Math.PI * epoch / Period)) / 2);
    }
}
