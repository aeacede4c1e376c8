namespace CnnGen.Runtime.Training;

/// <summary>
/// The learning rate of each epoch as a pure function of the epoch, like a PyTorch scheduler
/// stepped once per epoch (<c>scheduler.step()</c> after each epoch), but without hidden state.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>
    /// The learning rate for <paramref name="epoch"/> (0-based: epoch 0 is trained before the first
    /// <c>scheduler.step()</c>), given the optimizer's initial rate <paramref name="baseRate"/>.
    /// </summary>
    float LearningRate(int epoch, float baseRate);
}
