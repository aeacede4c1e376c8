using System.Runtime.Intrinsics;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary><see cref="RowConvolution"/> against <see cref="ConvolutionReference"/>'s naive loop, at every vector width.</summary>
public class RowConvolutionTests
{
    /// <summary>C_in, H, W, C_out, KH, KW, stride (y, x), dilation (y, x), padding (top/bottom, left/right).</summary>
    public static TheoryData<int[]> Shapes() => new()
    {
        new[] { 1, 32, 32, 6, 5, 5, 1, 1, 1, 1, 0, 0 },    // LeNet-5's conv1: 6 channels, rows of 28 (two vectors, 4 lanes over)
        new[] { 1, 28, 28, 32, 5, 5, 1, 1, 1, 1, 2, 2 },   // the seed net's conv1: four tiles of 8 channels, a zero border
        new[] { 3, 9, 40, 5, 3, 3, 1, 1, 1, 1, 1, 1 },     // rows of 40: a two-vector run, then a one-vector run
        new[] { 2, 12, 12, 9, 3, 3, 1, 1, 2, 2, 2, 2 },    // dilation 2; 9 channels: a tile of 8, then of 1
        new[] { 2, 15, 11, 4, 3, 5, 2, 1, 1, 1, 1, 2 },    // vertical stride 2, non-square kernel
        new[] { 1, 6, 6, 3, 3, 3, 3, 1, 1, 1, 0, 0 },      // stride 3 not dividing: the last input rows unread; a 4-wide row
        new[] { 4, 5, 3, 7, 1, 1, 1, 1, 1, 1, 0, 0 },      // 1 × 1 on 3-wide rows: one run overhangs several rows
        new[] { 1, 2, 70, 2, 1, 3, 1, 1, 1, 1, 0, 1 },     // rows of 70: runs of 32, 32, then 6
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_matches_the_naive_convolution(int[] geometry)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(geometry);
        (float[] input, float[] weight, float[] bias) = ConvolutionReference.RandomOperands(shape, seed: 4);
        var output = new float[shape.OutputChannels * shape.OutputPixels];
        output.AsSpan().Fill(float.NaN); // every element must be written

        RowConvolution.Forward(shape, input, weight, bias, output);

        ConvolutionReference.AssertClose(output, ConvolutionReference.Naive(shape, input, weight, bias), "output");
    }

    /// <summary>The 256- and 128-bit tiles (6 channels, 8 and 4 lanes) this AVX-512 machine would not take.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Narrower_vectors_compute_the_same_convolution(int[] geometry)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(geometry);
        (float[] input, float[] weight, _) = ConvolutionReference.RandomOperands(shape, seed: 4);
        double[] expected = ConvolutionReference.Naive(shape, input, weight, new float[shape.OutputChannels]);
        var output = new float[shape.OutputChannels * shape.OutputPixels];

        output.AsSpan().Fill(float.NaN);
        RowConvolution.Compute<Lanes256, Vector256<float>>(shape, input, weight, output);
        ConvolutionReference.AssertClose(output, expected, "output (256-bit)");

        output.AsSpan().Fill(float.NaN);
        RowConvolution.Compute<Lanes128, Vector128<float>>(shape, input, weight, output);
        ConvolutionReference.AssertClose(output, expected, "output (128-bit)");
    }

    /// <summary>The output span ends exactly at the last pixel: a run past it would corrupt what follows.</summary>
    [Fact]
    public void Nothing_past_the_output_is_written()
    {
        ConvolutionShape shape = ConvolutionReference.Shape(1, 32, 32, 6, 5, 5, 1, 1, 1, 1, 0, 0);
        (float[] input, float[] weight, float[] bias) = ConvolutionReference.RandomOperands(shape, seed: 4);
        int length = shape.OutputChannels * shape.OutputPixels;
        var buffer = new float[length + 64];
        buffer.AsSpan(length).Fill(-7f);

        RowConvolution.Forward(shape, input, weight, bias, buffer.AsSpan(0, length));

        Assert.All(buffer[length..], value => Assert.Equal(-7f, value));
    }

    [Fact]
    public void A_warm_call_allocates_nothing()
    {
        ConvolutionShape shape = ConvolutionReference.Shape(1, 28, 28, 32, 5, 5, 1, 1, 1, 1, 2, 2);
        (float[] input, float[] weight, float[] bias) = ConvolutionReference.RandomOperands(shape, seed: 4);
        var output = new float[shape.OutputChannels * shape.OutputPixels];
        RowConvolution.Forward(shape, input, weight, bias, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        RowConvolution.Forward(shape, input, weight, bias, output);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Wrong_lengths_and_strides_are_rejected()
    {
        ConvolutionShape shape = ConvolutionReference.Shape(2, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1);
        var error = Assert.Throws<ArgumentException>(() => RowConvolution.Forward(shape, new float[50], new float[71], new float[4], new float[100]));
        Assert.Contains("72", error.Message);
        error = Assert.Throws<ArgumentException>(() => RowConvolution.Forward(shape, new float[50], new float[72], new float[3], new float[100]));
        Assert.Equal("bias", error.ParamName);
        ConvolutionShape strided = ConvolutionReference.Shape(2, 5, 5, 4, 3, 3, 1, 2, 1, 1, 1, 1);
        error = Assert.Throws<ArgumentException>(() => RowConvolution.Forward(strided, new float[50], new float[72], new float[4], new float[60]));
        Assert.Contains("horizontal stride", error.Message);
        Assert.False(RowConvolution.Supports(strided));
    }
}
