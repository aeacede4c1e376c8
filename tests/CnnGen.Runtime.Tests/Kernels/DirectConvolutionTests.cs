using System.Runtime.Intrinsics;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary><see cref="DirectConvolution"/> against <see cref="ConvolutionReference"/>'s naive loop, at every vector width.</summary>
public class DirectConvolutionTests
{
    /// <summary>C_in, H, W, C_out, KH, KW, stride (y, x), dilation (y, x), padding (top/bottom, left/right).</summary>
    public static TheoryData<int[]> Shapes() => new()
    {
        new[] { 6, 14, 14, 16, 5, 5, 1, 1, 1, 1, 0, 0 },   // LeNet-5's conv2: one vector of channels, 100 pixels (12 tiles of 8 + 4)
        new[] { 1, 28, 28, 32, 5, 5, 1, 1, 1, 1, 2, 2 },   // the seed net's conv1: two vectors, a zero border
        new[] { 1, 32, 32, 6, 5, 5, 1, 1, 1, 1, 0, 0 },    // LeNet-5's conv1: 6 channels in a 16-wide row
        new[] { 3, 15, 13, 48, 3, 3, 2, 2, 1, 1, 1, 1 },   // stride 2, 48 channels: a group of two vectors, then of one
        new[] { 2, 12, 12, 16, 3, 3, 1, 1, 2, 2, 2, 2 },   // dilation 2
        new[] { 4, 10, 17, 20, 3, 5, 1, 2, 1, 1, 1, 2 },   // non-square kernel and stride, 20 channels padded to 32
        new[] { 3, 11, 11, 16, 4, 4, 3, 3, 1, 1, 0, 0 },   // valid, stride 3 not dividing: the last input rows unread
        new[] { 5, 7, 9, 16, 1, 1, 1, 1, 1, 1, 0, 0 },     // 1 × 1
        new[] { 2, 3, 30, 17, 3, 3, 1, 1, 1, 3, 1, 3 },    // 3 rows of 30: tiles cross output rows; 17 channels
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_matches_the_naive_convolution(int[] geometry)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(geometry);
        (float[] input, float[] weight, float[] bias) = ConvolutionReference.RandomOperands(shape, seed: 1);
        float[] packed = Pack(shape, weight);
        var output = new float[shape.OutputChannels * shape.OutputPixels];
        output.AsSpan().Fill(float.NaN); // every element must be written

        DirectConvolution.Forward(shape, input, packed, bias, output);

        ConvolutionReference.AssertClose(output, ConvolutionReference.Naive(shape, input, weight, bias), "output");
    }

    /// <summary>The 256- and 128-bit tiles (6 pixels, 8 and 4 lanes) this AVX-512 machine would not take.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Narrower_vectors_compute_the_same_product(int[] geometry)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(geometry);
        (float[] input, float[] weight, _) = ConvolutionReference.RandomOperands(shape, seed: 1);
        float[] packed = Pack(shape, weight);
        double[] expected = Transposed(shape, ConvolutionReference.Naive(shape, input, weight, new float[shape.OutputChannels]));

        var product = new float[shape.OutputPixels * shape.PaddedOutputChannels];
        DirectConvolution.ComputeProduct<Lanes256, Vector256<float>>(shape, input, packed, product);
        ConvolutionReference.AssertClose(product, expected, "product (256-bit)");

        product.AsSpan().Fill(float.NaN);
        DirectConvolution.ComputeProduct<Lanes128, Vector128<float>>(shape, input, packed, product);
        ConvolutionReference.AssertClose(product, expected, "product (128-bit)");
    }

    [Fact]
    public void A_warm_call_allocates_nothing()
    {
        ConvolutionShape shape = ConvolutionReference.Shape(1, 28, 28, 32, 5, 5, 1, 1, 1, 1, 2, 2);
        (float[] input, float[] weight, float[] bias) = ConvolutionReference.RandomOperands(shape, seed: 1);
        float[] packed = Pack(shape, weight);
        var output = new float[shape.OutputChannels * shape.OutputPixels];
        DirectConvolution.Forward(shape, input, packed, bias, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        DirectConvolution.Forward(shape, input, packed, bias, output);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Wrong_lengths_are_rejected_with_the_expected_count()
    {
        ConvolutionShape shape = ConvolutionReference.Shape(2, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] packed = new float[DirectConvolution.PackedWeightLength(shape)];
        Assert.Equal(16 * 18, packed.Length);
        var error = Assert.Throws<ArgumentException>(() => DirectConvolution.PackWeights(shape, new float[71], packed));
        Assert.Contains("72", error.Message);
        error = Assert.Throws<ArgumentException>(() => DirectConvolution.Forward(shape, new float[50], packed[..10], new float[4], new float[100]));
        Assert.Equal("packedWeights", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => DirectConvolution.Forward(shape, new float[50], packed, new float[3], new float[100]));
        Assert.Equal("bias", error.ParamName);
        Assert.Throws<ArgumentException>(() => DirectConvolution.Forward(shape with { DilationY = 0 }, new float[50], packed, new float[4], new float[100]));
    }

    private static float[] Pack(ConvolutionShape shape, float[] weight)
    {
        float[] packed = new float[DirectConvolution.PackedWeightLength(shape)];
        packed.AsSpan().Fill(float.NaN); // the padding lanes must be written too
        DirectConvolution.PackWeights(shape, weight, packed);
        return packed;
    }

    // (C_out, pixels) → the pixel-major product, rows padded to the packed width with zeros.
    private static double[] Transposed(ConvolutionShape shape, double[] output)
    {
        int width = shape.PaddedOutputChannels;
        var product = new double[shape.OutputPixels * width];
        for (int o = 0; o < shape.OutputChannels; o++)
        {
            for (int p = 0; p < shape.OutputPixels; p++)
            {
                product[(p * width) + o] = output[(o * shape.OutputPixels) + p];
            }
        }

        return product;
    }
}
