using System.Numerics;
using System.Runtime.CompilerServices;

namespace CnnGen.Runtime.Training;

/// <summary>
/// Adam (Kingma &amp; Ba), following <c>torch.optim.Adam</c> exactly, defaults included
/// (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0, no AMSGrad).
/// </summary>
/// <remarks>
/// Per element at step <c>t</c> (1-based), with gradient <c>g</c>, parameter <c>p</c> and moments <c>m</c>, <c>v</c>:
/// <code>
/// p = p·(1 − lr·weightDecay)                   (AdamW only: decoupled decay)
/// g = g + weightDecay·p                        (Adam only: L2 penalty, if weightDecay ≠ 0)
/// m = m + (1 − β1)·(g − m)                     (torch's lerp_; = β1·m + (1 − β1)·g)
/// v = β2·v + (1 − β2)·g·g
/// stepSize = lr / (1 − β1^t)
/// denom = √v / √(1 − β2^t) + eps
/// p = p − stepSize·m / denom
/// </code>
/// The bias corrections are computed in double precision, as PyTorch computes them in Python floats.
/// </remarks>
public class Adam : IOptimizer
{
    private readonly float[] _firstMoment;
    private readonly float[] _secondMoment;
    private readonly bool _decoupledWeightDecay;
    private float _learningRate;

    /// <summary>An Adam optimizer for <paramref name="parameterCount"/> parameters.</summary>
    public Adam(
        int parameterCount,
        float learningRate = 1e-3f,
        float beta1 = 0.9f,
        float beta2 = 0.999f,
        float epsilon = 1e-8f,
        float weightDecay = 0f)
        : this(parameterCount, learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay: false)
    {
    }

    /// <summary>The shared constructor; <see cref="AdamW"/> passes <paramref name="decoupledWeightDecay"/> = true.</summary>
    private protected Adam(
        int parameterCount,
        float learningRate,
        float beta1,
        float beta2,
        float epsilon,
        float weightDecay,
        bool decoupledWeightDecay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ParameterCount = parameterCount;
        LearningRate = learningRate;
        Beta1 = HyperParameters.CheckUnitInterval(beta1, nameof(beta1));
        Beta2 = HyperParameters.CheckUnitInterval(beta2, nameof(beta2));
        Epsilon = HyperParameters.CheckNonNegative(epsilon, nameof(epsilon));
        WeightDecay = HyperParameters.CheckNonNegative(weightDecay, nameof(weightDecay));
        _decoupledWeightDecay = decoupledWeightDecay;
        _firstMoment = new float[parameterCount];
        _secondMoment = new float[parameterCount];
    }

    /// <inheritdoc/>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = HyperParameters.CheckNonNegative(value, nameof(LearningRate));
    }

    /// <summary>The decay rate of the first-moment (mean) estimate.</summary>
    public float Beta1 { get; }

    /// <summary>The decay rate of the second-moment (uncentred variance) estimate.</summary>
    public float Beta2 { get; }

    /// <summary>Added to the bias-corrected root of the second moment to keep the division finite.</summary>
    public float Epsilon { get; }

    /// <summary>The weight decay: an L2 penalty for <see cref="Adam"/>, decoupled for <see cref="AdamW"/>.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public int ParameterCount { get; }

    /// <inheritdoc/>
    public int StepCount { get; private set; }

    /// <inheritdoc/>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        ParameterUpdate.CheckLengths(ParameterCount, parameters, gradients);
        int step = StepCount + 1;
        double biasCorrection1 = 1.0 - Math.Pow(Beta1, step);
        double biasCorrection2 = 1.0 - Math.Pow(Beta2, step);
        var update = new AdamUpdate(
            stepSize: (float)(_learningRate / biasCorrection1),
            biasCorrection2Sqrt: (float)Math.Sqrt(biasCorrection2),
            oneMinusBeta1: (float)(1.0 - Beta1),
            beta2: Beta2,
            oneMinusBeta2: (float)(1.0 - Beta2),
            epsilon: Epsilon,
            l2Penalty: _decoupledWeightDecay ? 0f : WeightDecay,
            decoupledDecayFactor: _decoupledWeightDecay ? (float)(1.0 - (double)_learningRate * WeightDecay) : 1f);
        ParameterUpdate.Run(update, parameters, gradients, _firstMoment, _secondMoment);
        StepCount = step;
    }

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, Memory<float>>> StateBuffers => [new("exp_avg", _firstMoment), new("exp_avg_sq", _secondMoment)];

    /// <inheritdoc/>
    public void RestoreStepCount(int stepCount) => StepCount = ParameterUpdate.CheckStepCount(stepCount);

    /// <inheritdoc/>
    public void Reset()
    {
        Array.Clear(_firstMoment);
        Array.Clear(_secondMoment);
        StepCount = 0;
    }

    private readonly struct AdamUpdate(
        float stepSize,
        float biasCorrection2Sqrt,
        float oneMinusBeta1,
        float beta2,
        float oneMinusBeta2,
        float epsilon,
        float l2Penalty,
        float decoupledDecayFactor)
        : IParameterUpdate
    {
        private readonly Vector<float> _stepSize = new(stepSize);
        private readonly Vector<float> _biasCorrection2Sqrt = new(biasCorrection2Sqrt);
        private readonly Vector<float> _oneMinusBeta1 = new(oneMinusBeta1);
        private readonly Vector<float> _beta2 = new(beta2);
        private readonly Vector<float> _oneMinusBeta2 = new(oneMinusBeta2);
        private readonly Vector<float> _epsilon = new(epsilon);
        private readonly Vector<float> _l2Penalty = new(l2Penalty);
        private readonly Vector<float> _decoupledDecayFactor = new(decoupledDecayFactor);
        private readonly bool _hasL2Penalty = l2Penalty != 0f;
        private readonly bool _hasDecoupledDecay = decoupledDecayFactor != 1f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // one call per vector otherwise
        public void Invoke(ref Vector<float> parameter, Vector<float> gradient, ref Vector<float> firstMoment, ref Vector<float> secondMoment)
        {
            if (_hasDecoupledDecay)
            {
                parameter *= _decoupledDecayFactor;
            }

            if (_hasL2Penalty)
            {
                gradient += _l2Penalty * parameter;
            }

            firstMoment += _oneMinusBeta1 * (gradient - firstMoment);
            secondMoment = _beta2 * secondMoment + _oneMinusBeta2 * gradient * gradient;
            Vector<float> denominator = Vector.SquareRoot(secondMoment) / _biasCorrection2Sqrt + _epsilon;
            parameter -= _stepSize * (firstMoment / denominator); // torch addcdiv_: p + value·(m / denom)
        }
    }
}
