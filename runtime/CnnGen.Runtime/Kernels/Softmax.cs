using System.Numerics.Tensors;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Softmax across channels, in place. values is (C, P) — <c>channels</c> planes of <c>planeSize</c>
/// positions, element (c, p) at c·P + p — and each position p is normalized over its C channels.
/// P = 1 is the plain vector case (a classifier's logits); P = H·W is PyTorch's Softmax(dim=1) on a
/// (C, H, W) sample. Backward needs only the forward output.
/// </summary>
public static class Softmax
{
    /// <summary>y(c, p) = exp(x(c, p) − max_c x) / Σ_c exp(x(c, p) − max_c x); the max shift keeps
    /// exp from overflowing for large logits and does not change the result.</summary>
    public static void Forward(Span<float> values, int channels, int planeSize)
    {
        CheckShape(values.Length, channels, planeSize, nameof(values));
        if (planeSize == 1)
        {
            float largest = TensorPrimitives.Max(values);
            TensorPrimitives.Subtract(values, largest, values);
            TensorPrimitives.Exp(values, values);
            TensorPrimitives.Divide(values, TensorPrimitives.Sum(values), values);
            return;
        }

        // Per-position reductions run plane by plane so every step is a contiguous TensorPrimitives call.
        Span<float> scratch = KernelScratch.Plane(2 * planeSize);
        Span<float> maxima = scratch[..planeSize];
        Span<float> sums = scratch[planeSize..];

        values[..planeSize].CopyTo(maxima);
        for (int c = 1; c < channels; c++)
        {
            TensorPrimitives.Max(maxima, Plane(values, c, planeSize), maxima);
        }

        sums.Clear();
        for (int c = 0; c < channels; c++)
        {
            Span<float> plane = Plane(values, c, planeSize);
            TensorPrimitives.Subtract(plane, maxima, plane);
            TensorPrimitives.Exp(plane, plane);
            TensorPrimitives.Add(sums, plane, sums);
        }

        for (int c = 0; c < channels; c++)
        {
            Span<float> plane = Plane(values, c, planeSize);
            TensorPrimitives.Divide(plane, sums, plane);
        }
    }

    /// <summary>
    /// gradient(c, p) = y(c, p) · (g(c, p) − Σ_c' g(c', p) · y(c', p)), the softmax Jacobian-vector
    /// product, where output is the forward result y.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> output, Span<float> gradient, int channels, int planeSize)
    {
        CheckShape(output.Length, channels, planeSize, nameof(output));
        CheckShape(gradient.Length, channels, planeSize, nameof(gradient));
        if (planeSize == 1)
        {
            float dot = TensorPrimitives.Dot(gradient, output);
            TensorPrimitives.Subtract(gradient, dot, gradient);
            TensorPrimitives.Multiply(gradient, output, gradient);
            return;
        }

        Span<float> dots = KernelScratch.Plane(planeSize);
        dots.Clear();
        // MultiplyAddEstimate: fused where the processor has FMA, else a multiply and an add (FusedMultiplyAdd would be
        // emulated in software there, as on x86-64-v2).
        for (int c = 0; c < channels; c++)
        {
            TensorPrimitives.MultiplyAddEstimate(Plane(gradient, c, planeSize), Plane(output, c, planeSize), dots, dots);
        }

        for (int c = 0; c < channels; c++)
        {
            Span<float> plane = Plane(gradient, c, planeSize);
            TensorPrimitives.Subtract(plane, dots, plane);
            TensorPrimitives.Multiply(plane, Plane(output, c, planeSize), plane);
        }
    }

    private static Span<float> Plane(Span<float> values, int channel, int planeSize) => values.Slice(channel * planeSize, planeSize);

    private static ReadOnlySpan<float> Plane(ReadOnlySpan<float> values, int channel, int planeSize) =>
        values.Slice(channel * planeSize, planeSize);

    private static void CheckShape(int length, int channels, int planeSize, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(planeSize);
        if (length != (long)channels * planeSize)
        {
            throw new ArgumentException(
                $"Expected channels·planeSize = {(long)channels * planeSize} floats (channels={channels}, planeSize={planeSize}), but the span holds {length}.",
                name);
        }
    }
}
