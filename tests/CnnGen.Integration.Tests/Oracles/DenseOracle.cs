namespace CnnGen.Integration.Tests.Oracles;

/// <summary><c>nn.Linear</c>: <c>out[u] = b[u] + Σ_i w[u, i] · in[i]</c>, weight (units, inputs).</summary>
internal sealed class DenseOracle(int units, bool bias = true) : OracleLayer
{
    public override Shape OutputShape(Shape input) => Shape.Vector(units);

    public override IReadOnlyList<int[]> ParameterShapes(Shape input) => bias ? [[units, input.Size], [units]] : [[units, input.Size]];

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters)
    {
        int inputs = inputShape.Size;
        var output = new double[units];
        for (int u = 0; u < units; u++)
        {
            double sum = bias ? parameters[(units * inputs) + u] : 0;
            for (int i = 0; i < inputs; i++)
            {
                sum += parameters[(u * inputs) + i] * input[i];
            }

            output[u] = sum;
        }

        return output;
    }
}

/// <summary><c>nn.Flatten</c>: the (C, H, W) values in C, H, W order, as a vector.</summary>
internal sealed class FlattenOracle : OracleLayer
{
    public override Shape OutputShape(Shape input) => Shape.Vector(input.Size);

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters) => (double[])input.Clone();
}

/// <summary><c>nn.Dropout</c> at inference: the identity (training behaviour is tested separately).</summary>
internal sealed class DropoutOracle : OracleLayer
{
    public override Shape OutputShape(Shape input) => input;

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters) => (double[])input.Clone();
}
