namespace CnnGen.Integration.Tests.Oracles;

/// <summary>
/// <c>nn.MaxPool2d</c> / <c>nn.AvgPool2d</c>: output size floored, max pooling keeps the first maximum in
/// row-major window order (a later equal value does not replace it); padding never wins a max and counts as
/// a zero in an average (PyTorch's <c>count_include_pad=True</c>).
/// </summary>
internal sealed class PoolOracle(bool isMax, int size, int stride, int padding = 0) : OracleLayer
{
    public static PoolOracle Max(int size, int stride = 0, int padding = 0) => new(true, size, stride == 0 ? size : stride, padding);

    public static PoolOracle Average(int size, int stride = 0, int padding = 0) => new(false, size, stride == 0 ? size : stride, padding);

    public override Shape OutputShape(Shape input) =>
        new(input.Channels, ((input.Height + (2 * padding) - size) / stride) + 1, ((input.Width + (2 * padding) - size) / stride) + 1);

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters)
    {
        Shape outputShape = OutputShape(inputShape);
        var output = new double[outputShape.Size];
        for (int c = 0; c < outputShape.Channels; c++)
        {
            for (int oy = 0; oy < outputShape.Height; oy++)
            {
                for (int ox = 0; ox < outputShape.Width; ox++)
                {
                    output[outputShape.Index(c, oy, ox)] = Pool(inputShape, input, c, oy, ox).Value;
                }
            }
        }

        return output;
    }

    /// <summary>The pooled value of one window and, for max pooling, the input index that won.</summary>
    public (int WinnerIndex, double Value) Pool(Shape inputShape, double[] input, int channel, int outputY, int outputX)
    {
        int winner = -1;
        double best = double.NegativeInfinity, sum = 0;
        for (int ky = 0; ky < size; ky++)
        {
            for (int kx = 0; kx < size; kx++)
            {
                int y = (outputY * stride) + ky - padding, x = (outputX * stride) + kx - padding;
                if (y < 0 || y >= inputShape.Height || x < 0 || x >= inputShape.Width)
                {
                    continue; // padding: −∞ for max, 0 for the sum
                }

                int index = inputShape.Index(channel, y, x);
                sum += input[index];
                if (winner < 0 || input[index] > best)
                {
                    winner = index;
                    best = input[index];
                }
            }
        }

        return isMax ? (winner, best) : (-1, sum / (size * size));
    }
}
