using System.Numerics;
using System.Runtime.CompilerServices;

namespace CnnGen.Runtime.Training;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
/// weight decay, following <c>torch.optim.SGD</c> exactly.
/// </summary>
/// <remarks>
/// Per element, with gradient <c>g</c>, parameter <c>p</c> and momentum buffer <c>b</c>:
/// <code>
/// g = g + weightDecay·p                        (if weightDecay ≠ 0)
/// b = g                                        (first step: the buffer starts as the gradient)
/// b = momentum·b + (1 − dampening)·g           (later steps)
/// g = nesterov ? g + momentum·b : b            (if momentum ≠ 0)
/// p = p − lr·g
/// </code>
/// </remarks>
public sealed class Sgd : IOptimizer
{
    private readonly float[] _momentumBuffer;
    private float _learningRate;

    /// <summary>An SGD optimizer for <paramref name="parameterCount"/> parameters.</summary>
    /// <exception cref="ArgumentException">
    /// A hyper-parameter is negative or not finite, or <paramref name="nesterov"/> is set without
    /// positive momentum and zero dampening (PyTorch refuses the same).
    /// </exception>
    public Sgd(
        int parameterCount,
        float learningRate,
        float momentum = 0f,
        float dampening = 0f,
        float weightDecay = 0f,
        bool nesterov = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        HyperParameters.CheckNonNegative(momentum, nameof(momentum));
        HyperParameters.CheckNonNegative(dampening, nameof(dampening));
        HyperParameters.CheckNonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && (momentum <= 0f || dampening != 0f))
        {
            throw new ArgumentException(
                $"Nesterov momentum requires a positive momentum and zero dampening (momentum {momentum}, dampening {dampening}).",
                nameof(nesterov));
        }

        ParameterCount = parameterCount;
        LearningRate = learningRate;
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        _momentumBuffer = momentum != 0f ? new float[parameterCount] : [];
    }

    /// <inheritdoc/>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = HyperParameters.CheckNonNegative(value, nameof(LearningRate));
    }

    /// <summary>The momentum factor (0 disables momentum).</summary>
    public float Momentum { get; }

    /// <summary>The dampening of the gradient's contribution to the momentum buffer.</summary>
    public float Dampening { get; }

    /// <summary>The L2 penalty added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether the Nesterov form of momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public int ParameterCount { get; }

    /// <inheritdoc/>
    public int StepCount { get; private set; }

    /// <inheritdoc/>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        ParameterUpdate.CheckLengths(ParameterCount, parameters, gradients);
        var update = new SgdUpdate(
            _learningRate, WeightDecay, Momentum, 1f - Dampening, Nesterov, firstStep: StepCount == 0);
        ParameterUpdate.Run(update, parameters, gradients, _momentumBuffer, default);
        StepCount++;
    }

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, Memory<float>>> StateBuffers => Momentum != 0f ? [new("momentum_buffer", _momentumBuffer)] : [];

    /// <inheritdoc/>
    public void RestoreStepCount(int stepCount) => StepCount = ParameterUpdate.CheckStepCount(stepCount);

    /// <inheritdoc/>
    public void Reset()
    {
        Array.Clear(_momentumBuffer);
        StepCount = 0;
    }

    private readonly struct SgdUpdate(
        float learningRate, float weightDecay, float momentum, float oneMinusDampening, bool nesterov, bool firstStep)
        : IParameterUpdate
    {
        private readonly Vector<float> _learningRate = new(learningRate);
        private readonly Vector<float> _weightDecay = new(weightDecay);
        private readonly Vector<float> _momentum = new(momentum);
        private readonly Vector<float> _oneMinusDampening = new(oneMinusDampening);

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // one call per vector otherwise
        public void Invoke(ref Vector<float> parameter, Vector<float> gradient, ref Vector<float> momentumBuffer, ref Vector<float> unused)
        {
            if (weightDecay != 0f)
            {
                gradient += _weightDecay * parameter;
            }

            if (momentum != 0f)
            {
                momentumBuffer = firstStep ? gradient : _momentum * momentumBuffer + _oneMinusDampening * gradient;
                gradient = nesterov ? gradient + _momentum * momentumBuffer : momentumBuffer;
            }

            parameter -= _learningRate * gradient;
        }
    }
}
