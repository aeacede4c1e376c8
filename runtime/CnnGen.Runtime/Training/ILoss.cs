namespace CnnGen.Runtime.Training;

/// <summary>
/// A loss over a batch of network outputs, reduced to the mean like PyTorch's <c>reduction='mean'</c>.
/// </summary>
/// <typeparam name="TTarget">
/// What one target element is: an <see cref="int"/> class index per sample
/// (<see cref="SoftmaxCrossEntropy"/>) or a <see cref="float"/> per output (<see cref="MeanSquaredError"/>).
/// </typeparam>
/// <remarks>Implementations are stateless and allocation-free, so one instance can serve any number of batches.</remarks>
public interface ILoss<TTarget>
{
    /// <summary>The mean loss of <paramref name="outputs"/> against <paramref name="targets"/>.</summary>
    float Loss(ReadOnlySpan<float> outputs, ReadOnlySpan<TTarget> targets);

    /// <summary>
    /// The mean loss, and dLoss/dOutputs written into <paramref name="outputGradient"/>
    /// (same length as <paramref name="outputs"/>), ready for <see cref="INetwork.BackwardBatch"/>.
    /// </summary>
    float Backward(ReadOnlySpan<float> outputs, ReadOnlySpan<TTarget> targets, Span<float> outputGradient);
}
