namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Folds an inference-mode <c>nn.BatchNorm2d</c> into the layer before it (a convolution or a dense layer whose
/// output channels are the normalized ones): with s = γ/√(runningVar + ε) per output channel,
/// W' = W·s (every weight of that channel's row) and b' = (b − runningMean)·s + β, so that W'·x + b' equals
/// BatchNorm(W·x + b) up to rounding and the normalization pass is no longer needed. A frozen network does this
/// once, in <c>Freeze</c>.
/// </summary>
public static class BatchNormFold
{
    /// <summary>
    /// Writes the folded weight and bias. s is computed in double and rounded once; each folded value is one
    /// rounding of its double-precision product, so W' differs from W·s by at most half an ulp.
    /// </summary>
    /// <param name="weight">W, (C_out, K): row c holds the K weights of output channel c (PyTorch's layout).</param>
    /// <param name="bias">b, (C_out); empty for a layer with <c>Bias = false</c> (b = 0).</param>
    /// <param name="gamma">γ, (C_out).</param>
    /// <param name="beta">β, (C_out).</param>
    /// <param name="runningMean">(C_out).</param>
    /// <param name="runningVar">(C_out).</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="foldedWeight">W', (C_out, K); may be <paramref name="weight"/> itself.</param>
    /// <param name="foldedBias">b', (C_out); may be <paramref name="bias"/> itself.</param>
    /// <exception cref="ArgumentException">A length does not match C_out or C_out·K, or the weight is not whole rows.</exception>
    public static void Into(
        ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias,
        ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean,
        ReadOnlySpan<float> runningVar,
        float epsilon,
        Span<float> foldedWeight,
        Span<float> foldedBias)
    {
        int channels = gamma.Length;
        ArgumentOutOfRangeException.ThrowIfZero(channels, nameof(gamma));
        Check(beta.Length, nameof(beta), channels);
        Check(runningMean.Length, nameof(runningMean), channels);
        Check(runningVar.Length, nameof(runningVar), channels);
        Check(foldedBias.Length, nameof(foldedBias), channels);
        if (!bias.IsEmpty)
        {
            Check(bias.Length, nameof(bias), channels);
        }

        if (weight.Length % channels != 0 || weight.Length == 0)
        {
            throw new ArgumentException($"weight has {weight.Length} floats, not a whole number of rows for {channels} output channels.", nameof(weight));
        }

        Check(foldedWeight.Length, nameof(foldedWeight), weight.Length);
        int row = weight.Length / channels;
        for (int c = 0; c < channels; c++)
        {
            double scale = gamma[c] / Math.Sqrt((double)runningVar[c] + epsilon);
            double b = bias.IsEmpty ? 0 : bias[c];
            foldedBias[c] = (float)(((b - runningMean[c]) * scale) + beta[c]);
            ReadOnlySpan<float> weights = weight.Slice(c * row, row);
            Span<float> folded = foldedWeight.Slice(c * row, row);
            for (int k = 0; k < row; k++)
            {
                folded[k] = (float)(weights[k] * scale);
            }
        }
    }

    private static void Check(int length, string name, int expected)
    {
        if (length != expected)
        {
            throw new ArgumentException($"{name} has {length} floats, expected {expected}.", name);
        }
    }
}
