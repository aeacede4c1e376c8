namespace CnnGen.Integration.Tests.Oracles;

/// <summary>A layer with a <c>Name</c>, so later layers can read its output.</summary>
internal sealed class NamedOracle(string name, OracleLayer layer) : OracleLayer
{
    public string Name { get; } = name;

    public OracleLayer Layer { get; } = layer;

    public override Shape OutputShape(Shape input) => Layer.OutputShape(input);

    public override IReadOnlyList<int[]> ParameterShapes(Shape input) => Layer.ParameterShapes(input);

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters) => Layer.Forward(inputShape, input, parameters);
}

/// <summary><c>From("x")</c>: the next layer reads tensor x. Not a layer of its own: <see cref="OracleNetwork"/> resolves it.</summary>
internal sealed class FromOracle(string name) : OracleLayer
{
    public string Source { get; } = name;

    public override Shape OutputShape(Shape input) => input;

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters) => input;
}

/// <summary>
/// A layer that reads several tensors: the current one, then the named ones — or exactly the named ones
/// when the current tensor's name is among them.
/// </summary>
internal abstract class MergeOracle(string[] names) : OracleLayer
{
    public string[] Names { get; } = names;

    public abstract Shape OutputShape(IReadOnlyList<Shape> inputs);

    public abstract double[] Forward(IReadOnlyList<Shape> shapes, IReadOnlyList<double[]> inputs);

    public override Shape OutputShape(Shape input) => throw new InvalidOperationException("a merge has several inputs");

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters) => throw new InvalidOperationException("a merge has several inputs");
}

/// <summary><c>a + b (+ c …)</c>, element by element.</summary>
internal sealed class AddOracle(params string[] names) : MergeOracle(names)
{
    public override Shape OutputShape(IReadOnlyList<Shape> inputs) => inputs[0];

    public override double[] Forward(IReadOnlyList<Shape> shapes, IReadOnlyList<double[]> inputs)
    {
        var sum = new double[inputs[0].Length];
        foreach (double[] input in inputs)
        {
            for (int i = 0; i < sum.Length; i++)
            {
                sum[i] += input[i];
            }
        }

        return sum;
    }
}

/// <summary><c>torch.cat(inputs, dim=1)</c> for one sample: the inputs' values one after another.</summary>
internal sealed class ConcatOracle(params string[] names) : MergeOracle(names)
{
    public override Shape OutputShape(IReadOnlyList<Shape> inputs) => inputs[0] with { Channels = inputs.Sum(shape => shape.Channels) };

    public override double[] Forward(IReadOnlyList<Shape> shapes, IReadOnlyList<double[]> inputs) => inputs.SelectMany(input => input).ToArray();
}

/// <summary><c>nn.AdaptiveAvgPool2d(1)</c>: the mean of each channel plane.</summary>
internal sealed class GlobalAveragePoolOracle : OracleLayer
{
    public override Shape OutputShape(Shape input) => new(input.Channels, 1, 1);

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters)
    {
        var output = new double[inputShape.Channels];
        for (int c = 0; c < inputShape.Channels; c++)
        {
            double sum = 0;
            for (int p = 0; p < inputShape.PlaneSize; p++)
            {
                sum += input[(c * inputShape.PlaneSize) + p];
            }

            output[c] = sum / inputShape.PlaneSize;
        }

        return output;
    }
}

/// <summary>
/// <c>nn.BatchNorm2d</c> in inference mode with the running statistics a new network starts from (mean 0,
/// variance 1): <c>y = γ·x / √(1 + ε) + β</c> per channel. Training mode is tested against its own reference.
/// </summary>
internal sealed class BatchNormInferenceOracle(double epsilon = 1e-5) : OracleLayer
{
    public override Shape OutputShape(Shape input) => input;

    public override IReadOnlyList<int[]> ParameterShapes(Shape input) => [[input.Channels], [input.Channels]];

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters)
    {
        var output = new double[input.Length];
        for (int c = 0; c < inputShape.Channels; c++)
        {
            double scale = parameters[c] / Math.Sqrt(1 + epsilon), shift = parameters[inputShape.Channels + c];
            for (int p = 0; p < inputShape.PlaneSize; p++)
            {
                int i = (c * inputShape.PlaneSize) + p;
                output[i] = (input[i] * scale) + shift;
            }
        }

        return output;
    }
}
