namespace CnnGen.Integration.Tests.Oracles;

/// <summary>
/// <c>nn.Conv2d</c> with bias, NCHW, as the textbook sum:
/// <c>out[f, oy, ox] = b[f] + Σ_c,ky,kx w[f, c, ky, kx] · in[c, oy·SH + ky·D − top, ox·SW + kx·D − left]</c>,
/// zero outside the input. Padding is given per side so "same" padding can be asymmetric.
/// </summary>
internal sealed class ConvOracle(
    int filters,
    int kernelHeight,
    int kernelWidth,
    int strideHeight,
    int strideWidth,
    int padTop,
    int padBottom,
    int padLeft,
    int padRight,
    int dilation,
    bool bias = true) : OracleLayer
{
    /// <summary>Equal padding on every side (PyTorch's integer <c>padding</c>).</summary>
    public static ConvOracle Explicit(int filters, int kernelHeight, int kernelWidth, int strideHeight = 1, int strideWidth = 1, int padding = 0, int dilation = 1, bool bias = true) =>
        new(filters, kernelHeight, kernelWidth, strideHeight, strideWidth, padding, padding, padding, padding, dilation, bias);

    /// <summary>
    /// PyTorch's <c>padding="same"</c> (stride 1): total padding D·(K − 1) per axis, the smaller half
    /// before and the extra pixel after.
    /// </summary>
    public static ConvOracle Same(int filters, int kernelHeight, int kernelWidth, int dilation = 1)
    {
        int totalVertical = dilation * (kernelHeight - 1), totalHorizontal = dilation * (kernelWidth - 1);
        return new(
            filters, kernelHeight, kernelWidth, 1, 1,
            totalVertical / 2, totalVertical - (totalVertical / 2),
            totalHorizontal / 2, totalHorizontal - (totalHorizontal / 2),
            dilation);
    }

    public override Shape OutputShape(Shape input) => new(
        filters,
        ((input.Height + padTop + padBottom - (dilation * (kernelHeight - 1)) - 1) / strideHeight) + 1,
        ((input.Width + padLeft + padRight - (dilation * (kernelWidth - 1)) - 1) / strideWidth) + 1);

    public override IReadOnlyList<int[]> ParameterShapes(Shape input) =>
        bias ? [[filters, input.Channels, kernelHeight, kernelWidth], [filters]] : [[filters, input.Channels, kernelHeight, kernelWidth]];

    public override double[] Forward(Shape inputShape, double[] input, ReadOnlySpan<double> parameters)
    {
        Shape outputShape = OutputShape(inputShape);
        int weightCount = filters * inputShape.Channels * kernelHeight * kernelWidth;
        ReadOnlySpan<double> weight = parameters[..weightCount];
        double[] biases = bias ? parameters.Slice(weightCount, filters).ToArray() : new double[filters];
        var output = new double[outputShape.Size];
        for (int f = 0; f < filters; f++)
        {
            for (int oy = 0; oy < outputShape.Height; oy++)
            {
                for (int ox = 0; ox < outputShape.Width; ox++)
                {
                    double sum = biases[f];
                    for (int c = 0; c < inputShape.Channels; c++)
                    {
                        for (int ky = 0; ky < kernelHeight; ky++)
                        {
                            int iy = (oy * strideHeight) + (ky * dilation) - padTop;
                            if (iy < 0 || iy >= inputShape.Height)
                            {
                                continue;
                            }

                            for (int kx = 0; kx < kernelWidth; kx++)
                            {
                                int ix = (ox * strideWidth) + (kx * dilation) - padLeft;
                                if (ix < 0 || ix >= inputShape.Width)
                                {
                                    continue;
                                }

                                int w = (((((f * inputShape.Channels) + c) * kernelHeight) + ky) * kernelWidth) + kx;
                                sum += weight[w] * input[inputShape.Index(c, iy, ix)];
                            }
                        }
                    }

                    output[outputShape.Index(f, oy, ox)] = sum;
                }
            }
        }

        return output;
    }
}
