namespace CnnGen.Runtime.Training;

/// <summary>
/// The learning rate as a pure function of where training is, like a PyTorch scheduler but without
/// hidden state. Epoch schedules (stepped once per epoch) implement <see cref="LearningRate(int, float)"/>;
/// schedules that change within an epoch (warm-up, per-step cosine) also override the per-batch overload,
/// which <see cref="Trainer"/> calls before every optimizer step.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>
    /// The learning rate for <paramref name="epoch"/> (0-based: epoch 0 is trained before the first
    /// <c>scheduler.step()</c>), given the optimizer's initial rate <paramref name="baseRate"/>.
    /// </summary>
    float LearningRate(int epoch, float baseRate);

    /// <summary>
    /// The learning rate for batch <paramref name="batch"/> (0-based) of <paramref name="batchesPerEpoch"/>
    /// in <paramref name="epoch"/>. By default the whole epoch has its epoch's rate.
    /// </summary>
    float LearningRate(int epoch, int batch, int batchesPerEpoch, float baseRate) => LearningRate(epoch, baseRate);
}
