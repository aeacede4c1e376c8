using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>Hyperbolic tangent in place; backward needs only the forward output.</summary>
public static class Tanh
{
    /// <summary>values = tanh(values), element-wise; values is any shape.</summary>
    public static void Forward(Span<float> values) => TensorPrimitives.Tanh(values, values);

    /// <summary>gradient *= 1 − y², where output is the forward result y = tanh(x).</summary>
    public static void Backward(ReadOnlySpan<float> output, Span<float> gradient) =>
        GradientLoop.Apply<BackwardOperator>(output, gradient);

    private readonly struct BackwardOperator : IGradientOperator
    {
        public static float Invoke(float output, float gradient) => gradient * (1f - (output * output));

        public static Vector128<float> Invoke(Vector128<float> output, Vector128<float> gradient) =>
            gradient * (Vector128<float>.One - (output * output));

        public static Vector256<float> Invoke(Vector256<float> output, Vector256<float> gradient) =>
            gradient * (Vector256<float>.One - (output * output));

        public static Vector512<float> Invoke(Vector512<float> output, Vector512<float> gradient) =>
            gradient * (Vector512<float>.One - (output * output));
    }
}
