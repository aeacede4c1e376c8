using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary><see cref="ImplicitConvolution"/> against <see cref="ConvolutionReference"/>'s naive loops.</summary>
[Collection(nameof(ThreadCountCollection))]
public class ImplicitConvolutionTests
{
    /// <summary>C_in, H, W, C_out, KH, KW, stride (y, x), dilation (y, x), padding (top/bottom, left/right).</summary>
    public static TheoryData<int[]> Shapes() => new()
    {
        new[] { 32, 14, 14, 64, 5, 5, 1, 1, 1, 1, 2, 2 },  // the seed net's conv2: two full panels, tiles of 7 + 7
        new[] { 8, 9, 11, 24, 3, 3, 1, 1, 1, 1, 1, 1 },    // odd sizes, a narrow 24-channel panel on AVX-512
        new[] { 16, 15, 13, 32, 3, 3, 2, 2, 1, 1, 1, 1 },  // stride 2: pixels SX·C_in apart
        new[] { 8, 12, 12, 16, 3, 3, 1, 1, 2, 2, 2, 2 },   // dilation 2: one call per kernel row, chaining its taps
        new[] { 4, 10, 17, 40, 3, 5, 1, 2, 1, 1, 1, 2 },   // non-square kernel and stride, 40 channels: a ragged panel
        new[] { 64, 6, 6, 70, 5, 5, 1, 1, 1, 1, 2, 2 },    // a kernel row 320 deep (two calls), 70 channels: a 6-wide last panel
        new[] { 3, 11, 11, 20, 4, 4, 3, 3, 1, 1, 0, 0 },   // valid, stride 3 not dividing: the last input rows unread
        new[] { 48, 7, 7, 24, 1, 1, 1, 1, 1, 1, 0, 0 },    // 1 × 1
        new[] { 2, 5, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1 },      // a single output channel
        new[] { 6, 3, 30, 17, 3, 3, 1, 1, 1, 3, 1, 3 },    // 30 wide (tiles of 8 + 7 + 7 + 8 after dilation 3 in x)
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_matches_the_naive_convolution(int[] geometry)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(geometry);
        (float[] input, float[] weight, float[] bias) = ConvolutionReference.RandomOperands(shape, seed: 1);

        float[] output = Run(shape, input, weight, bias);

        double[] expected = ConvolutionReference.Naive(shape, input, weight, bias);
        ConvolutionReference.AssertClose(output, expected, "output");
    }

    /// <summary>The epilogue the transpose into the output applies: bias or none, then a ReLU or none.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_with_its_epilogue_matches_the_naive_convolution_then_relu(int[] geometry)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(geometry);
        (float[] input, float[] weight, float[] bias) = ConvolutionReference.RandomOperands(shape, seed: 2);
        foreach ((bool withBias, bool relu) in (ReadOnlySpan<(bool, bool)>)[(true, true), (false, true), (false, false)])
        {
            float[] output = Run(shape, input, weight, withBias ? bias : [], relu);

            double[] expected = ConvolutionReference.Naive(shape, input, weight, withBias ? bias : new float[shape.OutputChannels]);
            if (relu)
            {
                expected = expected.Select(v => Math.Max(v, 0)).ToArray();
                Assert.Contains(0f, output); // the ReLU had something to clip
            }

            ConvolutionReference.AssertClose(output, expected, $"output (bias {withBias}, relu {relu})");
        }
    }

    /// <summary>Stride-1 shapes: C_in, H, W, C_out, KH, KW, dilation (y, x), padding (top/bottom, left/right).</summary>
    public static TheoryData<int[]> StrideOneShapes() => new()
    {
        new[] { 32, 14, 14, 64, 5, 5, 1, 1, 2, 2 },  // the seed net's conv2
        new[] { 20, 9, 11, 24, 3, 3, 1, 1, 1, 1 },   // odd sizes, 20 input channels: a ragged gradient panel
        new[] { 16, 10, 9, 32, 3, 3, 2, 2, 1, 1 },   // dilation 2: padding D·(K − 1) − P = 3
        new[] { 16, 8, 12, 40, 2, 4, 1, 1, 0, 3 },   // non-square, padding 3 = K − 1 in x: the flipped padding is 0
        new[] { 17, 6, 7, 8, 3, 3, 1, 1, 0, 0 },     // valid: the gradient reads a fully padded border
    };

    [Theory]
    [MemberData(nameof(StrideOneShapes))]
    public void The_input_gradient_convolution_matches_the_naive_adjoint(int[] geometry)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(
            geometry[0], geometry[1], geometry[2], geometry[3], geometry[4], geometry[5], 1, 1, geometry[6], geometry[7], geometry[8], geometry[9]);
        float[] weight = GemmReference.RandomValues(shape.OutputChannels * shape.PatchSize, seed: 7);
        float[] outputGradient = GemmReference.RandomValues(shape.OutputChannels * shape.OutputPixels, seed: 8);
        ConvolutionShape gradientShape = ImplicitConvolution.InputGradientShape(shape);
        float[] packed = new float[ImplicitConvolution.PackedWeightLength(gradientShape)];
        packed.AsSpan().Fill(float.NaN);
        ImplicitConvolution.PackInputGradientWeights(shape, weight, packed);
        var inputGradient = new float[shape.InputChannels * shape.InputHeight * shape.InputWidth];
        inputGradient.AsSpan().Fill(float.NaN);

        ImplicitConvolution.Forward(gradientShape, outputGradient, packed, default, inputGradient);

        double[] expected = ConvolutionReference.NaiveInputGradient(shape, weight, outputGradient);
        ConvolutionReference.AssertClose(inputGradient, expected, "inputGradient");
    }

    [Fact]
    public void The_input_gradient_shape_needs_stride_one()
    {
        var error = Assert.Throws<ArgumentException>(() => ImplicitConvolution.InputGradientShape(ConvolutionReference.Shape(4, 9, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1)));
        Assert.Contains("stride 1", error.Message);
    }

    /// <summary>
    /// Shapes one sample of which splits over two workers by output rows: the seed net's conv2, and ResNet-8's
    /// 16-channel 28 × 28, stride-2 and 7 × 7 (7 rows: 3 + 4) 3 × 3 convolutions.
    /// </summary>
    public static TheoryData<int[]> SplitShapes() => new()
    {
        new[] { 32, 14, 14, 64, 5, 5, 1, 1, 1, 1, 2, 2 },
        new[] { 16, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1 },
        new[] { 16, 28, 28, 32, 3, 3, 2, 2, 1, 1, 1, 1 },
        new[] { 64, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1 },
    };

    /// <summary>Each worker transposes its own rows into the output with the bias and the ReLU: the bits of one thread, and the naive convolution's values.</summary>
    [Theory]
    [MemberData(nameof(SplitShapes))]
    public void Two_threads_split_one_sample_bit_for_bit_and_allocate_nothing_once_warm(int[] geometry)
    {
        OnTwoThreadsAgainstOne(geometry, seed: 4, (shape, input, weight, bias, single) =>
        {
            float[] packed = new float[ImplicitConvolution.PackedWeightLength(shape)];
            ImplicitConvolution.PackWeights(shape, weight, packed);
            var split = new float[single.Length];
            Array.Fill(split, float.NaN);
            ImplicitConvolution.Forward(shape, input, packed, bias, split, default, relu: true);
            Assert.Equal(single, split);
            double[] expected = ConvolutionReference.Naive(shape, input, weight, bias).Select(v => Math.Max(v, 0)).ToArray();
            ConvolutionReference.AssertClose(split, expected, "output on two threads");

            WarmCalls.AssertSomeCallAllocatesNothing(() => ImplicitConvolution.Forward(shape, input, packed, bias, split, default, relu: true), "two-thread split");
        });
    }

    /// <summary>
    /// <see cref="SplitShapes"/> and ragged last panels: 70 channels (a 6-wide panel on AVX-512, 6 of 8 on SSE) and 40.
    /// </summary>
    public static TheoryData<int[]> PackingSplitShapes()
    {
        TheoryData<int[]> shapes = SplitShapes();
        shapes.Add([64, 6, 6, 70, 5, 5, 1, 1, 1, 1, 2, 2]);
        shapes.Add([16, 12, 12, 40, 3, 3, 1, 1, 1, 1, 1, 1]);
        return shapes;
    }

    /// <summary>
    /// One sample packing its own weights (what an unfrozen network runs at batch 1): on two threads the workers share
    /// the panels out inside the convolution's fork, and both the packed weights and the output are those of packing
    /// first and then running on one thread, bit for bit — over a buffer of NaN (a panel nobody packed would poison
    /// its channels) and over a stale packing of other weights (rows compared before they are stored). A warm call
    /// allocates nothing.
    /// </summary>
    [Theory]
    [MemberData(nameof(PackingSplitShapes))]
    public void Packing_within_the_call_on_two_threads_gives_the_bits_of_packing_first_on_one(int[] geometry)
    {
        OnTwoThreadsAgainstOne(geometry, seed: 11, (shape, input, weight, bias, single) =>
        {
            float[] expectedPacked = new float[ImplicitConvolution.PackedWeightLength(shape)];
            ImplicitConvolution.PackWeights(shape, weight, expectedPacked);
            int used = (shape.OutputChannels + Gemm.TileColumns - 1) / Gemm.TileColumns * Gemm.TileColumns * shape.PatchSize; // the buffer fits the widest panels
            float[] stale = new float[expectedPacked.Length];
            ImplicitConvolution.PackWeights(shape, ConvolutionReference.RandomOperands(shape, seed: 12).Weight, stale);
            foreach ((string what, float[] packed) in new[] { ("NaN", Enumerable.Repeat(float.NaN, expectedPacked.Length).ToArray()), ("stale", stale) })
            {
                var split = new float[single.Length];
                Array.Fill(split, float.NaN);
                ImplicitConvolution.PackAndForward(shape, input, weight, packed, bias, split, default, relu: true);
                Assert.True(Bits(expectedPacked)[..used].SequenceEqual(Bits(packed)[..used]), $"packed weights over {what}");
                Assert.True(Bits(single).SequenceEqual(Bits(split)), $"output over {what}");
            }

            float[] warm = new float[expectedPacked.Length];
            float[] output = new float[single.Length];
            WarmCalls.AssertSomeCallAllocatesNothing(
                () => ImplicitConvolution.PackAndForward(shape, input, weight, warm, bias, output, default, relu: true), "two-thread packing split");
        });
    }

    /// <summary>
    /// Random operands for <paramref name="geometry"/> (large enough to be split), the output of one thread packing
    /// first (with the bias and a ReLU), then <paramref name="check"/> on two threads with every short job split.
    /// </summary>
    private static void OnTwoThreadsAgainstOne(int[] geometry, int seed, Action<ConvolutionShape, float[], float[], float[], float[]> check)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(geometry);
        Assert.True(2L * shape.OutputChannels * shape.PatchSize * shape.OutputPixels >= ImplicitConvolutionParallel.MinFlops, "The shape must be large enough to be split.");
        (float[] input, float[] weight, float[] bias) = ConvolutionReference.RandomOperands(shape, seed);
        int saved = Parallelism.ThreadCount;
        try
        {
            Parallelism.ThreadCount = 1;
            float[] single = Run(shape, input, weight, bias, relu: true);
            Parallelism.ThreadCount = 2;
            ParallelGate.SplitEveryJob = true; // whatever the split costs on this host now
            check(shape, input, weight, bias, single);
        }
        finally
        {
            Parallelism.ThreadCount = saved;
            ParallelGate.SplitEveryJob = false;
        }
    }

    /// <summary>The check above can fail: the seed net's conv2 with its second panel left unpacked (stale) gives other bits.</summary>
    [Fact]
    public void A_panel_left_unpacked_changes_the_output()
    {
        ConvolutionShape shape = ConvolutionReference.Shape(32, 14, 14, 64, 5, 5, 1, 1, 1, 1, 2, 2);
        (float[] input, float[] weight, float[] bias) = ConvolutionReference.RandomOperands(shape, seed: 13);
        float[] packed = new float[ImplicitConvolution.PackedWeightLength(shape)];
        ImplicitConvolution.PackWeights(shape, weight, packed);
        var expected = new float[shape.OutputChannels * shape.OutputPixels];
        ImplicitConvolution.Forward(shape, input, packed, bias, expected);

        float[] stale = ConvolutionReference.RandomOperands(shape, seed: 14).Weight;
        float[] planted = new float[packed.Length];
        ImplicitConvolution.PackWeights(shape, stale, planted);
        int panel = Gemm.TileColumns * shape.PatchSize;
        packed.AsSpan(0, panel).CopyTo(planted); // the first panel fresh, the others stale
        var output = new float[expected.Length];
        ImplicitConvolution.Forward(shape, input, planted, bias, output);

        Assert.False(Bits(expected).SequenceEqual(Bits(output)));
        Assert.Equal(expected[..(Gemm.TileColumns * shape.OutputPixels)], output[..(Gemm.TileColumns * shape.OutputPixels)]);
    }

    /// <summary>
    /// The packed layout against its definition — panel p, row tap·C_in + c, column j holds weight (p·width + j, c, tap),
    /// zero past C_out; a packed row is 4 KB from the next tap's for the seed net's conv2, 128 B for a 1 × 1 kernel.
    /// </summary>
    [Theory]
    [InlineData(32, 5, 64)] // the seed net's conv2
    [InlineData(64, 5, 70)] // a narrow last panel
    [InlineData(48, 1, 24)] // 1 × 1: one tap, fewer than a transpose block
    [InlineData(8, 3, 24)]  // 9 taps: a transpose block and an overlapping edge
    public void Packed_weights_match_their_definition(int channels, int kernel, int outputChannels)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(channels, 9, 9, outputChannels, kernel, kernel, 1, 1, 1, 1, kernel / 2, kernel / 2);
        float[] weight = GemmReference.RandomValues(outputChannels * shape.PatchSize, seed: 9);
        int width = Gemm.TileColumns, taps = kernel * kernel, patch = shape.PatchSize;
        int panels = (outputChannels + width - 1) / width;
        var expected = new float[panels * patch * width];
        for (int p = 0; p < panels; p++)
        {
            for (int tap = 0; tap < taps; tap++)
            {
                for (int c = 0; c < channels; c++)
                {
                    for (int j = 0; j < width; j++)
                    {
                        int o = (p * width) + j;
                        expected[(p * patch * width) + (((tap * channels) + c) * width) + j] = o < outputChannels ? weight[(o * patch) + (c * taps) + tap] : 0f;
                    }
                }
            }
        }

        float[] packed = new float[ImplicitConvolution.PackedWeightLength(shape)];
        packed.AsSpan().Fill(float.NaN);
        ImplicitConvolution.PackWeights(shape, weight, packed);
        Assert.Equal(expected, packed[..expected.Length]);
    }

    /// <summary>
    /// Packing over an earlier packing (what an unfrozen network does on every call) leaves exactly a fresh packing's bits,
    /// on one thread (every row stored) and on two (a row stored only where its bits changed): weights changed in the
    /// first and the last panel, a +0 turned into −0 (equal as floats, not as bits) and a NaN payload changed.
    /// </summary>
    [Theory]
    [InlineData(32, 5, 64, 1)]
    [InlineData(32, 5, 64, 2)]
    [InlineData(64, 5, 70, 2)]
    [InlineData(8, 3, 24, 2)]
    public void Packing_again_over_older_weights_gives_a_fresh_packing_bit_for_bit(int channels, int kernel, int outputChannels, int threads)
    {
        ConvolutionShape shape = ConvolutionReference.Shape(channels, 9, 9, outputChannels, kernel, kernel, 1, 1, 1, 1, kernel / 2, kernel / 2);
        float[] weight = GemmReference.RandomValues(outputChannels * shape.PatchSize, seed: 10);
        weight[3] = 0f;
        weight[5] = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001));
        float[] packed = new float[ImplicitConvolution.PackedWeightLength(shape)];
        float[] fresh = new float[packed.Length];
        int saved = Parallelism.ThreadCount;
        try
        {
            Parallelism.ThreadCount = threads;
            ImplicitConvolution.PackWeights(shape, weight, packed);

            weight[3] = -0f;
            weight[5] = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00002));
            weight[shape.PatchSize + 1] += 1f;
            weight[^1] = -weight[^1];
            ImplicitConvolution.PackWeights(shape, weight, packed);
            ImplicitConvolution.PackWeights(shape, weight, fresh);
            Assert.Equal(Bits(fresh), Bits(packed));

            // And unchanged weights leave it as it was.
            ImplicitConvolution.PackWeights(shape, weight, packed);
            Assert.Equal(Bits(fresh), Bits(packed));
        }
        finally
        {
            Parallelism.ThreadCount = saved;
        }
    }

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);

    [Fact]
    public void Wrong_lengths_are_rejected_with_the_expected_count()
    {
        ConvolutionShape shape = ConvolutionReference.Shape(2, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] packed = new float[ImplicitConvolution.PackedWeightLength(shape)];
        var error = Assert.Throws<ArgumentException>(() => ImplicitConvolution.PackWeights(shape, new float[71], packed));
        Assert.Contains("72", error.Message);
        error = Assert.Throws<ArgumentException>(() => ImplicitConvolution.Forward(shape, new float[50], packed[..10], new float[4], new float[100]));
        Assert.Equal("packedWeights", error.ParamName);
        Assert.Throws<ArgumentException>(() => ImplicitConvolution.Forward(shape with { StrideX = 0 }, new float[50], packed, new float[4], new float[100]));
        error = Assert.Throws<ArgumentException>(() => ImplicitConvolution.PackAndForward(shape, new float[50], new float[71], packed, new float[4], new float[100], default));
        Assert.Equal("weight", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => ImplicitConvolution.PackAndForward(shape, new float[50], new float[72], packed[..10], new float[4], new float[100], default));
        Assert.Equal("packedWeights", error.ParamName);
    }

    private static float[] Run(ConvolutionShape shape, float[] input, float[] weight, float[] bias, bool relu = false)
    {
        float[] packed = new float[ImplicitConvolution.PackedWeightLength(shape)];
        packed.AsSpan().Fill(float.NaN); // padding lanes must be written too
        ImplicitConvolution.PackWeights(shape, weight, packed);
        var output = new float[shape.OutputChannels * shape.OutputPixels];
        output.AsSpan().Fill(float.NaN); // every element must be written
        ImplicitConvolution.Forward(shape, input, packed, bias, output, borderedInput: default, relu);
        return output;
    }
}
