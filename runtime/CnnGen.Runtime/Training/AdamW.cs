namespace CnnGen.Runtime.Training;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter), following <c>torch.optim.AdamW</c>
/// exactly, defaults included (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01).
/// </summary>
/// <remarks>
/// Before the Adam update each parameter is scaled by <c>1 − lr·weightDecay</c>; the gradient
/// itself is not penalised. See <see cref="Adam"/> for the full rule.
/// </remarks>
public sealed class AdamW : Adam
{
    /// <summary>An AdamW optimizer for <paramref name="parameterCount"/> parameters.</summary>
    public AdamW(
        int parameterCount,
        float learningRate = 1e-3f,
        float beta1 = 0.9f,
        float beta2 = 0.999f,
        float epsilon = 1e-8f,
        float weightDecay = 1e-2f)
        : base(parameterCount, learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay: true)
    {
    }
}
