using CnnGen.Runtime.Kernels;
using CnnGen.Runtime.Rules;

namespace CnnGen.Runtime.Tests.Rules;

/// <summary>
/// <see cref="PackedSizes"/> against counting up to the next multiple, and against the kernels that pack into
/// buffers of exactly these sizes (a size too small makes them slice past the end and throw).
/// </summary>
public sealed class PackedSizesTests
{
    [Fact]
    public void Roundings_are_the_smallest_multiple_at_least_the_size()
    {
        foreach (int multiple in new[] { 1, 3, 4, 7, 8, 16, 32 })
        {
            for (int value = 1; value <= 200; value++)
            {
                int next = value;
                while (next % multiple != 0)
                {
                    next++;
                }

                Assert.Equal(next, PackedSizes.RoundUp(value, multiple));
                Assert.Equal(next / multiple, PackedSizes.Vectors(value, multiple));
            }
        }

        for (int channels = 1; channels <= 200; channels++)
        {
            int panels = PackedSizes.RoundUpToPanels(channels), vectors = PackedSizes.RoundUpToVectors(channels);
            Assert.True(panels % 32 == 0 && panels >= channels && panels - channels < 32, $"{channels} → {panels}");
            Assert.True(vectors % 16 == 0 && vectors >= channels && vectors - channels < 16, $"{channels} → {vectors}");
        }
    }

    [Fact]
    public void Every_machines_vectors_and_panels_divide_the_widths_sizes_are_rounded_to()
    {
        foreach (int lanes in new[] { 4, 8, 16 })
        {
            Assert.Equal(0, PackedSizes.VectorWidth % lanes);
            Assert.Equal(0, PackedSizes.PanelWidth % (2 * lanes)); // a micro-kernel's panel is two vectors
        }

        Assert.Equal(0, PackedSizes.PanelWidth % Gemm.TileColumns); // this machine's
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 5)]
    [InlineData(6, 5, 5)]
    [InlineData(16, 3, 3)]
    [InlineData(33, 3, 1)]
    [InlineData(70, 1, 1)]
    public void Kernels_pack_their_weights_into_exactly_the_rules_size(int channels, int kernelHeight, int kernelWidth)
    {
        for (int outputChannels = 1; outputChannels <= 70; outputChannels++)
        {
            var shape = new ConvolutionShape(channels, 9, 9, outputChannels, 9, 9, kernelHeight, kernelWidth, 1, 1, 1, 1, kernelHeight / 2, kernelWidth / 2);
            float[] weight = Enumerable.Range(1, outputChannels * shape.PatchSize).Select(i => (float)i).ToArray();

            float[] implicitWeights = new float[PackedSizes.ImplicitConvolutionWeights(outputChannels, shape.PatchSize)];
            ImplicitConvolution.PackWeights(shape, weight, implicitWeights);
            AssertHoldsEveryWeightOnce(weight, implicitWeights);

            float[] directWeights = new float[PackedSizes.DirectConvolutionWeights(outputChannels, shape.PatchSize)];
            DirectConvolution.PackWeights(shape, weight, directWeights);
            AssertHoldsEveryWeightOnce(weight, directWeights);

            // The input gradient's weights: the gradient convolution's output channels are this one's input channels.
            float[] gradientWeights = new float[PackedSizes.ImplicitConvolutionWeights(channels, outputChannels * kernelHeight * kernelWidth)];
            ImplicitConvolution.PackInputGradientWeights(shape, weight, gradientWeights);
            AssertHoldsEveryWeightOnce(weight, gradientWeights);
        }
    }

    [Fact]
    public void The_bordered_input_is_the_padded_extents_times_the_channels()
    {
        var shape = new ConvolutionShape(3, 28, 28, 16, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1);
        Assert.Equal(29 * 29 * 3, PackedSizes.BorderedInput(shape.PaddedHeight, shape.PaddedWidth, shape.InputChannels)); // 13·2 + 3
        Assert.Equal(29 * 29 * 3, ImplicitConvolution.BorderedInputLength(shape));
    }

    [Fact]
    public void BatchNorm_saves_the_means_then_the_inverse_deviations_in_exactly_the_rules_size()
    {
        const int batch = 2, channels = 3, plane = 5;
        const float epsilon = 1e-5f;
        float[] input = Enumerable.Range(0, batch * channels * plane).Select(i => (float)((i * 7) % 11)).ToArray();
        float[] saved = new float[PackedSizes.BatchNormSavedStatistics(channels)];
        BatchNorm.ForwardTraining(
            input, new float[input.Length], batch, channels, plane, new float[channels], new float[channels], new float[channels], new float[channels], 0.1f, epsilon, saved);
        for (int c = 0; c < channels; c++)
        {
            double[] values = Enumerable.Range(0, batch).SelectMany(n => input.Skip(((n * channels) + c) * plane).Take(plane)).Select(v => (double)v).ToArray();
            double mean = values.Average(), variance = values.Select(v => (v - mean) * (v - mean)).Average();
            Assert.Equal(mean, saved[c], 5);
            Assert.Equal(1 / Math.Sqrt(variance + epsilon), saved[channels + c], 5);
        }

        Assert.Throws<ArgumentException>(() => BatchNorm.ForwardTraining(
            input, new float[input.Length], batch, channels, plane, new float[channels], new float[channels], new float[channels], new float[channels], 0.1f, epsilon, new float[saved.Length - 1]));
    }

    /// <summary>The weights are 1..n, so a packing that holds each once (and zeros elsewhere) lost and duplicated nothing.</summary>
    private static void AssertHoldsEveryWeightOnce(float[] weight, float[] packed)
    {
        float[] nonzero = packed.Where(value => value != 0).Order().ToArray();
        Assert.Equal(weight, nonzero);
    }
}
