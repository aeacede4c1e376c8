using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// The convolution's definition summed in double in naive loops, the oracle of the convolution kernels'
/// tests: output(o, y, x) = bias(o) + Σ weight(o, c, ky, kx) · input(c, y·SY + ky·DY − PT, x·SX + kx·DX − PL),
/// zero outside the input; and its adjoint, the input gradient.
/// </summary>
internal static class ConvolutionReference
{
    /// <summary>Relative tolerance of a float32 convolution against the double-precision loops.</summary>
    public const double Tolerance = 2e-5;

    /// <summary>Asserts every element within <see cref="Tolerance"/> relative (plus absolute) of the reference.</summary>
    public static void AssertClose(ReadOnlySpan<float> actual, double[] expected, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(actual[i] - expected[i]) <= Tolerance * (1 + Math.Abs(expected[i])),
                $"{name}[{i}] = {actual[i]}, expected {expected[i]}.");
        }
    }

    /// <summary>A shape with symmetric padding; the output size follows from the others.</summary>
    public static ConvolutionShape Shape(
        int channels, int height, int width, int filters, int kernelHeight, int kernelWidth,
        int strideY, int strideX, int dilationY, int dilationX, int padY, int padX)
    {
        int outputHeight = ((height + (2 * padY) - (dilationY * (kernelHeight - 1)) - 1) / strideY) + 1;
        int outputWidth = ((width + (2 * padX) - (dilationX * (kernelWidth - 1)) - 1) / strideX) + 1;
        return new ConvolutionShape(
            channels, height, width, filters, outputHeight, outputWidth, kernelHeight, kernelWidth, strideY, strideX, dilationY, dilationX, padY, padX);
    }

    /// <summary>
    /// <see cref="Shape(int, int, int, int, int, int, int, int, int, int, int, int)"/> from a theory row:
    /// C_in, H, W, C_out, KH, KW, stride (y, x), dilation (y, x), padding (top/bottom, left/right).
    /// </summary>
    public static ConvolutionShape Shape(int[] g) => Shape(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11]);

    /// <summary>Seeded random input (C_in, H, W), weight (C_out, C_in, KH, KW) and bias (C_out) for a shape.</summary>
    public static (float[] Input, float[] Weight, float[] Bias) RandomOperands(ConvolutionShape shape, int seed) => (
        GemmReference.RandomValues(shape.InputChannels * shape.InputHeight * shape.InputWidth, seed),
        GemmReference.RandomValues(shape.OutputChannels * shape.PatchSize, seed + 1),
        GemmReference.RandomValues(shape.OutputChannels, seed + 2));

    // dX(c, iy, ix) += W(o, c, ky, kx) · dY(o, y, x) for every tap that read (iy, ix) in the forward pass.
    public static double[] NaiveInputGradient(ConvolutionShape s, float[] weight, float[] outputGradient)
    {
        var inputGradient = new double[s.InputChannels * s.InputHeight * s.InputWidth];
        for (int o = 0; o < s.OutputChannels; o++)
        {
            for (int y = 0; y < s.OutputHeight; y++)
            {
                for (int x = 0; x < s.OutputWidth; x++)
                {
                    double g = outputGradient[(o * s.OutputPixels) + (y * s.OutputWidth) + x];
                    for (int c = 0; c < s.InputChannels; c++)
                    {
                        for (int ky = 0; ky < s.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < s.KernelWidth; kx++)
                            {
                                int iy = y + (ky * s.DilationY) - s.PaddingTop, ix = x + (kx * s.DilationX) - s.PaddingLeft;
                                if (iy >= 0 && iy < s.InputHeight && ix >= 0 && ix < s.InputWidth)
                                {
                                    int w = (((o * s.InputChannels) + c) * s.KernelHeight * s.KernelWidth) + (ky * s.KernelWidth) + kx;
                                    inputGradient[(((c * s.InputHeight) + iy) * s.InputWidth) + ix] += weight[w] * g;
                                }
                            }
                        }
                    }
                }
            }
        }

        return inputGradient;
    }

    public static double[] Naive(ConvolutionShape s, float[] input, float[] weight, float[] bias)
    {
        var output = new double[s.OutputChannels * s.OutputPixels];
        for (int o = 0; o < s.OutputChannels; o++)
        {
            for (int y = 0; y < s.OutputHeight; y++)
            {
                for (int x = 0; x < s.OutputWidth; x++)
                {
                    double sum = bias[o];
                    for (int c = 0; c < s.InputChannels; c++)
                    {
                        for (int ky = 0; ky < s.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < s.KernelWidth; kx++)
                            {
                                int iy = (y * s.StrideY) + (ky * s.DilationY) - s.PaddingTop;
                                int ix = (x * s.StrideX) + (kx * s.DilationX) - s.PaddingLeft;
                                if (iy >= 0 && iy < s.InputHeight && ix >= 0 && ix < s.InputWidth)
                                {
                                    int w = (((o * s.InputChannels) + c) * s.KernelHeight * s.KernelWidth) + (ky * s.KernelWidth) + kx;
                                    sum += (double)weight[w] * input[(((c * s.InputHeight) + iy) * s.InputWidth) + ix];
                                }
                            }
                        }
                    }

                    output[(o * s.OutputPixels) + (y * s.OutputWidth) + x] = sum;
                }
            }
        }

        return output;
    }

    // dW(o, c, ky, kx) = Σ over output pixels of dY(o, y, x) · input(c, y·SY + ky·DY − PT, x·SX + kx·DX − PL).
    public static double[] NaiveWeightGradient(ConvolutionShape s, float[] input, float[] outputGradient)
    {
        var weightGradient = new double[s.OutputChannels * s.PatchSize];
        for (int o = 0; o < s.OutputChannels; o++)
        {
            for (int c = 0; c < s.InputChannels; c++)
            {
                for (int ky = 0; ky < s.KernelHeight; ky++)
                {
                    for (int kx = 0; kx < s.KernelWidth; kx++)
                    {
                        double sum = 0;
                        for (int y = 0; y < s.OutputHeight; y++)
                        {
                            for (int x = 0; x < s.OutputWidth; x++)
                            {
                                int iy = (y * s.StrideY) + (ky * s.DilationY) - s.PaddingTop;
                                int ix = (x * s.StrideX) + (kx * s.DilationX) - s.PaddingLeft;
                                if (iy >= 0 && iy < s.InputHeight && ix >= 0 && ix < s.InputWidth)
                                {
                                    sum += (double)outputGradient[(o * s.OutputPixels) + (y * s.OutputWidth) + x]
                                        * input[(((c * s.InputHeight) + iy) * s.InputWidth) + ix];
                                }
                            }
                        }

                        weightGradient[(((o * s.InputChannels) + c) * s.KernelHeight * s.KernelWidth) + (ky * s.KernelWidth) + kx] = sum;
                    }
                }
            }
        }

        return weightGradient;
    }
}
