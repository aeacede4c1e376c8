using CnnGen.Runtime.Rules;

namespace CnnGen.Runtime.Tests.Rules;

/// <summary>
/// <see cref="ConvolutionGeometry"/> against naive references: windows counted one by one along an axis, and the
/// input gradient scattered tap by tap.
/// </summary>
public sealed class ConvolutionGeometryTests
{
    [Fact]
    public void PaddedExtent_is_one_past_the_last_input_index_any_tap_reads()
    {
        for (int output = 1; output <= 12; output++)
        {
            foreach ((int kernel, int stride, int dilation) in Windows())
            {
                int last = 0;
                for (int o = 0; o < output; o++)
                {
                    for (int k = 0; k < kernel; k++)
                    {
                        last = Math.Max(last, (o * stride) + (k * dilation));
                    }
                }

                Assert.Equal(last + 1, ConvolutionGeometry.PaddedExtent(output, kernel, stride, dilation));
            }
        }
    }

    [Fact]
    public void PaddedExtent_inverts_the_output_size_and_fits_inside_the_padded_input()
    {
        int checkedCases = 0;
        for (int input = 1; input <= 30; input++)
        {
            for (int padding = 0; padding <= 3; padding++)
            {
                foreach ((int kernel, int stride, int dilation) in Windows())
                {
                    int padded = input + (2 * padding);
                    int output = WindowsThatFit(padded, kernel, stride, dilation);
                    if (output < 1)
                    {
                        continue;
                    }

                    int extent = ConvolutionGeometry.PaddedExtent(output, kernel, stride, dilation);
                    Assert.True(extent <= padded, $"extent {extent} > padded input {padded}");
                    Assert.Equal(output, WindowsThatFit(extent, kernel, stride, dilation)); // round trip, no remainder
                    Assert.Equal(output - 1, WindowsThatFit(extent - 1, kernel, stride, dilation)); // and the least such input
                    checkedCases++;
                }
            }
        }

        Assert.True(checkedCases > 5000, $"only {checkedCases} cases");
    }

    [Fact]
    public void InputGradientPadding_makes_the_input_gradient_a_convolution_with_the_flipped_kernel()
    {
        var random = new Random(15);
        int convolutions = 0;
        for (int input = 1; input <= 12; input++)
        {
            for (int kernel = 1; kernel <= 5; kernel++)
            {
                for (int dilation = 1; dilation <= 3; dilation++)
                {
                    for (int padding = 0; padding <= (dilation * (kernel - 1)) + 2; padding++)
                    {
                        int gradientPadding = ConvolutionGeometry.InputGradientPadding(kernel, dilation, padding);
                        bool supported = KernelSupport.InputGradientAsConvolution(1, kernel, dilation, padding);
                        Assert.Equal(padding <= dilation * (kernel - 1), supported);
                        Assert.False(KernelSupport.InputGradientAsConvolution(2, kernel, dilation, padding)); // stride 2 never
                        int output = WindowsThatFit(input + (2 * padding), kernel, 1, dilation);
                        if (!supported || output < 1)
                        {
                            continue;
                        }

                        int[] outputGradient = Enumerable.Range(0, output).Select(_ => random.Next(-9, 10)).ToArray();
                        int[] weight = Enumerable.Range(0, kernel).Select(_ => random.Next(-9, 10)).ToArray();

                        // Reference: scatter each output's gradient to the input pixels its taps read.
                        int[] scattered = new int[input];
                        for (int o = 0; o < output; o++)
                        {
                            for (int k = 0; k < kernel; k++)
                            {
                                int x = o + (k * dilation) - padding;
                                if (x >= 0 && x < input)
                                {
                                    scattered[x] += outputGradient[o] * weight[k];
                                }
                            }
                        }

                        // The gradient convolution: stride 1, kernel flipped, leading padding D·(K − 1) − P.
                        int[] convolved = new int[input];
                        for (int x = 0; x < input; x++)
                        {
                            for (int j = 0; j < kernel; j++)
                            {
                                int o = x + (j * dilation) - gradientPadding;
                                if (o >= 0 && o < output)
                                {
                                    convolved[x] += outputGradient[o] * weight[kernel - 1 - j];
                                }
                            }
                        }

                        Assert.Equal(scattered, convolved);
                        convolutions++;
                    }
                }
            }
        }

        Assert.True(convolutions > 300, $"only {convolutions} cases");
    }

    /// <summary>Kernels 1–6, strides 1–4, dilations 1–3.</summary>
    private static IEnumerable<(int Kernel, int Stride, int Dilation)> Windows() =>
        from kernel in Enumerable.Range(1, 6)
        from stride in Enumerable.Range(1, 4)
        from dilation in Enumerable.Range(1, 3)
        select (kernel, stride, dilation);

    /// <summary>Counts, one by one, the windows whose every tap lands in <paramref name="length"/> pixels.</summary>
    private static int WindowsThatFit(int length, int kernel, int stride, int dilation)
    {
        int count = 0;
        while ((count * stride) + ((kernel - 1) * dilation) < length)
        {
            count++;
        }

        return count;
    }
}
