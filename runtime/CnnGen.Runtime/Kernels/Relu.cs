using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>ReLU, y = max(x, 0), in place; backward needs only the forward output.</summary>
public static class Relu
{
    /// <summary>values = max(values, 0), element-wise; values is any shape.</summary>
    public static void Forward(Span<float> values) => TensorPrimitives.Max(values, 0f, values);

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
