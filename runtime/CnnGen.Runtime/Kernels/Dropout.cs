using System.Numerics.Tensors;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Inverted dropout, in place: during training each element is zeroed with probability p and the
/// survivors are scaled by 1 / (1 − p), so evaluation needs no rescaling (PyTorch's nn.Dropout).
/// </summary>
public static class Dropout
{
    /// <summary>
    /// mask[i] = (u ≥ p ? 1 / (1 − p) : 0) for a fresh u ~ U[0, 1) from <paramref name="random"/>, then
    /// values *= mask. The mask is kept for <see cref="Backward"/>; values and mask have the same length.
    /// </summary>
    public static void Forward(Span<float> values, Span<float> mask, float probability, RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(probability >= 0f && probability <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "Dropout probability must be in [0, 1].");
        }

        CheckSameLength(values.Length, mask.Length, nameof(mask));

        // p = 1 gives an infinite scale, but u < 1 always, so no element ever takes it.
        float scale = 1f / (1f - probability);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = random.NextSingle() >= probability ? scale : 0f;
        }

        TensorPrimitives.Multiply(values, mask, values);
    }

    /// <summary>gradient *= mask, the mask <see cref="Forward"/> drew (dropped elements pass no gradient).</summary>
    public static void Backward(ReadOnlySpan<float> mask, Span<float> gradient)
    {
        CheckSameLength(mask.Length, gradient.Length, nameof(gradient));
        TensorPrimitives.Multiply(gradient, mask, gradient);
    }

    private static void CheckSameLength(int expected, int actual, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {expected} elements to match, but the span holds {actual}.", name);
        }
    }
}
