namespace CnnGen.Integration.Tests.Oracles;

/// <summary>
/// One layer of the double-precision reference: plain loops written from the PyTorch definitions,
/// sharing no code with the generator. Parameters arrive in PyTorch's <c>parameters()</c> layout.
/// </summary>
internal abstract class OracleLayer
{
    public abstract Shape OutputShape(Shape input);

    /// <summary>Shapes of this layer's parameter tensors in PyTorch order (weight, then bias); none by default.</summary>
    public virtual IReadOnlyList<int[]> ParameterShapes(Shape input) => [];

    public int ParameterCount(Shape input) => ParameterShapes(input).Sum(shape => shape.Aggregate(1, (a, b) => a * b));

    /// <summary>One sample: <paramref name="input"/> has <c>inputShape.Size</c> values.</summary>
    public abstract double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters);
}
