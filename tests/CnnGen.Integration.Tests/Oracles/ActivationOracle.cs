namespace CnnGen.Integration.Tests.Oracles;

/// <summary>Element-wise activations: ReLU max(0, x), sigmoid 1 / (1 + e^−x), tanh.</summary>
internal sealed class ActivationOracle(Func<double, double> function) : OracleLayer
{
    public static ActivationOracle Relu { get; } = new(x => Math.Max(0, x));

    public static ActivationOracle Sigmoid { get; } = new(x => 1 / (1 + Math.Exp(-x)));

    public static ActivationOracle Tanh { get; } = new(Math.Tanh);

    public override Shape OutputShape(Shape input) => input;

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters) =>
        input.Select(function).ToArray();
}

/// <summary>
/// <c>nn.Softmax(dim=1)</c>: over the channels at each pixel of an image; over the features of a
/// vector (a vector is (F, 1, 1), one pixel).
/// </summary>
internal sealed class SoftmaxOracle : OracleLayer
{
    public override Shape OutputShape(Shape input) => input;

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters)
    {
        var output = new double[input.Length];
        for (int pixel = 0; pixel < inputShape.PlaneSize; pixel++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < inputShape.Channels; c++)
            {
                max = Math.Max(max, input[(c * inputShape.PlaneSize) + pixel]);
            }

            double sum = 0;
            for (int c = 0; c < inputShape.Channels; c++)
            {
                sum += Math.Exp(input[(c * inputShape.PlaneSize) + pixel] - max);
            }

            for (int c = 0; c < inputShape.Channels; c++)
            {
                int index = (c * inputShape.PlaneSize) + pixel;
                output[index] = Math.Exp(input[index] - max) / sum;
            }
        }

        return output;
    }
}
