namespace CnnGen.Runtime.Kernels;

/// <summary>Initial values for trainable parameters.</summary>
public static class ParameterInit
{
    /// <summary>
    /// PyTorch's default initialization of nn.Conv2d and nn.Linear: weight from
    /// kaiming_uniform_(a = √5), which works out to U(−1/√fanIn, 1/√fanIn), and bias from the same
    /// U(−1/√fanIn, 1/√fanIn). Weight is filled first, then bias (which may be empty).
    /// </summary>
    /// <remarks>
    /// The <em>distribution</em> matches PyTorch; the numbers do not, because <see cref="RandomSource"/>
    /// is not PyTorch's generator. To reproduce a PyTorch run exactly, load its weights instead.
    /// fanIn is in_channels · kernel_height · kernel_width for a convolution, in_features for a dense layer.
    /// </remarks>
    public static void PyTorchDefault(Span<float> weight, Span<float> bias, int fanIn, RandomSource random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        ArgumentNullException.ThrowIfNull(random);

        // kaiming_uniform_ bound = gain · √(3 / fanIn) with gain = √(2 / (1 + a²)) = √(1/3) for a = √5.
        float bound = 1f / MathF.Sqrt(fanIn);
        random.FillUniform(weight, -bound, bound);
        random.FillUniform(bias, -bound, bound);
    }
}
