using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>ReLU, y = max(x, 0), in place; backward needs only the forward output.</summary>
public static class Relu
{
    /// <summary>values = max(values, 0), element-wise; values is any shape. A whole batch splits over the workers (<see cref="ElementwiseParallel"/>).</summary>
    public static void Forward(Span<float> values)
    {
        if (!ElementwiseParallel.TryRelu(values))
        {
            TensorPrimitives.Max(values, 0f, values);
        }
    }

    /// <summary>
    /// output = max(a + b, 0), element-wise: a residual sum and the ReLU after it (a ResNet block's end). Runs in
    /// L1-sized blocks (<see cref="ElementwiseParallel.ChunkElements"/>: three 16 KB operands in a 48 KB L1d), so the ReLU rereads what the sum just wrote from cache rather than memory.
    /// <paramref name="output"/> may be <paramref name="a"/> or <paramref name="b"/> itself; partial overlaps throw.
    /// </summary>
    public static void AddThenForward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        if (a.Length != output.Length || b.Length != output.Length)
        {
            throw new ArgumentException($"The operands have {a.Length} and {b.Length} floats but the output has {output.Length}.", nameof(output));
        }

        for (int start = 0; start < output.Length; start += ElementwiseParallel.ChunkElements)
        {
            int length = Math.Min(ElementwiseParallel.ChunkElements, output.Length - start);
            Span<float> block = output.Slice(start, length);
            TensorPrimitives.Add(a.Slice(start, length), b.Slice(start, length), block);
            TensorPrimitives.Max(block, 0f, block);
        }
    }

    /// <summary>
    /// gradient *= (output &gt; 0 ? 1 : 0), where output is the forward result y (y &gt; 0 exactly where
    /// x &gt; 0, so x need not be kept). The subgradient at x = 0 is taken as 0, as in PyTorch.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> output, Span<float> gradient) =>
        GradientLoop.Apply<BackwardOperator>(output, gradient);

    private readonly struct BackwardOperator : IGradientOperator
    {
        public static float Invoke(float output, float gradient) => output > 0f ? gradient : 0f;

        // A compare mask ANDed with g: keeps g where y > 0, +0 elsewhere, without a blend.
        public static Vector128<float> Invoke(Vector128<float> output, Vector128<float> gradient) =>
            gradient & Vector128.GreaterThan(output, Vector128<float>.Zero);

        public static Vector256<float> Invoke(Vector256<float> output, Vector256<float> gradient) =>
            gradient & Vector256.GreaterThan(output, Vector256<float>.Zero);

        public static Vector512<float> Invoke(Vector512<float> output, Vector512<float> gradient) =>
            gradient & Vector512.GreaterThan(output, Vector512<float>.Zero);
    }
}
