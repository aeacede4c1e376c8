using System.Runtime.Intrinsics;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// <see cref="ImplicitConvolution.AccumulateWeightGradient(in ConvolutionShape, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
/// on the bordered input a forward kept, summed over three samples — two in one call, one in the next — and added to a
/// gradient that already holds values, against <see cref="ConvolutionReference.NaiveWeightGradient"/>, at every vector width.
/// </summary>
public class ImplicitConvolutionWeightGradientTests
{
    private delegate void Accumulate(ConvolutionShape shape, ReadOnlySpan<float> borderedInput, ReadOnlySpan<float> outputGradient, Span<float> gradient);

    /// <summary>
    /// The forward's shapes, and more with a multiple of 16 input channels (rows of output channels, columns of a tap's
    /// channels, one sample a product): the tiles' last rows ragged, a tap of one vector and of two and one.
    /// </summary>
    public static TheoryData<int[]> Shapes()
    {
        TheoryData<int[]> shapes = ImplicitConvolutionTests.Shapes();
        shapes.Add([16, 12, 12, 16, 3, 3, 1, 1, 2, 2, 2, 2]);  // dilation 2, a tap one vector wide on AVX-512
        shapes.Add([48, 5, 9, 13, 3, 2, 2, 1, 1, 1, 1, 0]);    // 48 channels: two vectors and one; 13 output channels: 8 + 5, 6 + 6 + 1
        shapes.Add([16, 4, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1]);     // a single output channel
        return shapes;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Samples_add_their_gradients_to_the_existing_ones_one_or_several_a_call(int[] geometry)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(geometry);
        float[] weightGradient = Check(shape, (s, x, dy, g) => ImplicitConvolution.AccumulateWeightGradient(s, x, dy, g));
        Assert.Equal(shape.OutputChannels * shape.PatchSize, weightGradient.Length);
    }

    /// <summary>The 256- and 128-bit tiles this AVX-512 machine would not take.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Narrower_vectors_compute_the_same_gradient(int[] geometry)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(geometry);
        Check(shape, (s, x, dy, g) => ImplicitConvolution.AccumulateWeightGradient<Lanes256, Vector256<float>>(s, x, dy, g));
        Check(shape, (s, x, dy, g) => ImplicitConvolution.AccumulateWeightGradient<Lanes128, Vector128<float>>(s, x, dy, g));
    }

    [Fact]
    public void A_warm_sample_allocates_nothing_and_bad_lengths_are_rejected()
    {
        ConvolutionShape shape = ConvolutionReference.Shape(32, 14, 14, 64, 5, 5, 1, 1, 1, 1, 2, 2);
        var bordered = new float[ImplicitConvolution.BorderedInputLength(shape)];
        float[] outputGradient = GemmReference.RandomValues(64 * 196, seed: 9);
        var gradient = new float[ImplicitConvolution.WeightGradientLength(shape)];
        ImplicitConvolution.AccumulateWeightGradient(shape, bordered, outputGradient, gradient);

        long before = GC.GetAllocatedBytesForCurrentThread();
        ImplicitConvolution.AccumulateWeightGradient(shape, bordered, outputGradient, gradient);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var error = Assert.Throws<ArgumentException>(() => ImplicitConvolution.AccumulateWeightGradient(shape, bordered[1..], outputGradient, gradient));
        Assert.Equal("borderedInput", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => ImplicitConvolution.AccumulateWeightGradient(shape, [.. bordered, .. bordered], outputGradient, gradient));
        Assert.Equal("outputGradient", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => ImplicitConvolution.AddWeightGradient(shape, gradient, new float[10]));
        Assert.Contains((64 * 800).ToString(), error.Message);
        error = Assert.Throws<ArgumentException>(
            () => ImplicitConvolution.Forward(shape, new float[32 * 196], new float[ImplicitConvolution.PackedWeightLength(shape)], default, new float[64 * 196], new float[5]));
        Assert.Equal("borderedInput", error.ParamName);
    }

    private static float[] Check(ConvolutionShape shape, Accumulate accumulate)
    {
        int inputLength = shape.InputChannels * shape.InputHeight * shape.InputWidth;
        int outputLength = shape.OutputChannels * shape.OutputPixels;
        float[] weight = GemmReference.RandomValues(shape.OutputChannels * shape.PatchSize, seed: 2);
        float[] packed = new float[ImplicitConvolution.PackedWeightLength(shape)];
        ImplicitConvolution.PackWeights(shape, weight, packed);
        float[] initial = GemmReference.RandomValues(weight.Length, seed: 3);
        float[] weightGradient = (float[])initial.Clone();
        var accumulator = new float[ImplicitConvolution.WeightGradientLength(shape)];
        double[] expected = Array.ConvertAll(initial, value => (double)value);

        int borderedLength = ImplicitConvolution.BorderedInputLength(shape);
        const int Samples = 3;
        var bordered = new float[Samples * borderedLength];
        var outputGradients = new float[Samples * outputLength];
        bordered.AsSpan().Fill(float.NaN); // the forward must write all of it, border included
        for (int sample = 0; sample < Samples; sample++)
        {
            float[] input = GemmReference.RandomValues(inputLength, seed: 10 + sample);
            float[] outputGradient = GemmReference.RandomValues(outputLength, seed: 20 + sample);
            outputGradient.CopyTo(outputGradients, sample * outputLength);
            ImplicitConvolution.Forward(shape, input, packed, default, new float[outputLength], bordered.AsSpan(sample * borderedLength, borderedLength));

            double[] sampleGradient = ConvolutionReference.NaiveWeightGradient(shape, input, outputGradient);
            for (int i = 0; i < expected.Length; i++)
            {
                expected[i] += sampleGradient[i];
            }
        }

        // Samples 0 and 1 in one call (one product over both samples' pixels), then sample 2 alone.
        accumulate(shape, bordered.AsSpan(0, 2 * borderedLength), outputGradients.AsSpan(0, 2 * outputLength), accumulator);
        accumulate(shape, bordered.AsSpan(2 * borderedLength), outputGradients.AsSpan(2 * outputLength), accumulator);

        ImplicitConvolution.AddWeightGradient(shape, accumulator, weightGradient);
        ConvolutionReference.AssertClose(weightGradient, expected, "weightGradient");
        return weightGradient;
    }
}
