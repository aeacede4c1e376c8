using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>Logistic sigmoid, y = 1 / (1 + e^−x), in place; backward needs only the forward output.</summary>
public static class Sigmoid
{
    /// <summary>values = σ(values), element-wise; values is any shape.</summary>
    public static void Forward(Span<float> values) => TensorPrimitives.Sigmoid(values, values);

    /// <summary>gradient *= y · (1 − y), where output is the forward result y = σ(x).</summary>
    public static void Backward(ReadOnlySpan<float> output, Span<float> gradient) =>
        GradientLoop.Apply<BackwardOperator>(output, gradient);

    private readonly struct BackwardOperator : IGradientOperator
    {
        public static float Invoke(float output, float gradient) => gradient * (output * (1f - output));

        public static Vector128<float> Invoke(Vector128<float> output, Vector128<float> gradient) =>
            gradient * (output * (Vector128<float>.One - output));

        public static Vector256<float> Invoke(Vector256<float> output, Vector256<float> gradient) =>
            gradient * (output * (Vector256<float>.One - output));

        public static Vector512<float> Invoke(Vector512<float> output, Vector512<float> gradient) =>
            gradient * (output * (Vector512<float>.One - output));
    }
}
