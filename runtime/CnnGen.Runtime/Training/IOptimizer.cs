namespace CnnGen.Runtime.Training;

/// <summary>
/// Updates a whole parameter buffer from its gradient buffer, as one call of PyTorch's
/// <c>optimizer.step()</c> over a single parameter group.
/// </summary>
/// <remarks>
/// Per-parameter state (momentum, moment estimates) is allocated once at construction from
/// <see cref="ParameterCount"/>, so <see cref="Step"/> never allocates.
/// </remarks>
public interface IOptimizer
{
    /// <summary>The learning rate of the next <see cref="Step"/>; schedules set it once per epoch.</summary>
    float LearningRate { get; set; }

    /// <summary>The length of the parameter and gradient buffers this optimizer was built for.</summary>
    int ParameterCount { get; }

    /// <summary>How many steps have been taken since construction or <see cref="Reset"/>.</summary>
    int StepCount { get; }

    /// <summary>
    /// Applies one update to <paramref name="parameters"/> in place; both spans must have
    /// <see cref="ParameterCount"/> elements.
    /// </summary>
    void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>Forgets all state (as a freshly constructed optimizer), keeping the hyper-parameters.</summary>
    void Reset();

    /// <summary>
    /// The optimizer's per-parameter state, by PyTorch's names (<see cref="Adam"/> and <see cref="AdamW"/>:
    /// <c>exp_avg</c>, <c>exp_avg_sq</c>; <see cref="Sgd"/> with momentum: <c>momentum_buffer</c>; none
    /// for plain SGD), each <see cref="ParameterCount"/> floats in the layout of the parameters. These
    /// are the optimizer's own buffers: a checkpoint reads them, a resumed run writes them back (with
    /// <see cref="RestoreStepCount"/>). An optimizer that does not override this cannot be checkpointed.
    /// </summary>
    IReadOnlyList<KeyValuePair<string, Memory<float>>> StateBuffers => throw NoCheckpointSupport(this);

    /// <summary>Sets <see cref="StepCount"/> as a checkpoint recorded it, after <see cref="StateBuffers"/> were restored.</summary>
    void RestoreStepCount(int stepCount) => throw NoCheckpointSupport(this);

    private static NotSupportedException NoCheckpointSupport(IOptimizer optimizer) =>
        new($"{optimizer.GetType().Name} does not expose its state: implement IOptimizer.StateBuffers and RestoreStepCount to checkpoint it.");
}
