using System.Runtime.Intrinsics;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// <see cref="MaxPool"/> against a naive loop with PyTorch's rules written here: window maximum with NaN
/// propagating; the gradient to the first maximum in row-major order, or to the last NaN.
/// </summary>
public class MaxPoolTests
{
    // Forward: widths below 4 take the scalar path, 4 to 7 steps of one Vector128 (4 columns), 8 to 15 of one
    // Vector256, 16 and more (on AVX-512) of one Vector512, and each width two vectors per step where the row holds two
    // (the per-width test: 8+ at 128 bits, 16+ at 256, 32+ at 512) — with and without an overlapping last step (6, 7,
    // 10, 14, 28, 31, 40) and with an odd column left over (7, 9, 17, 31). Backward: 8 columns and more, Vector256.
    // Odd heights leave a row out.
    private static readonly (int Planes, int Height, int Width)[] Shapes =
    [
        (1, 2, 2), (3, 4, 6), (2, 5, 7), (1, 2, 8), (2, 3, 9), (6, 10, 10), (4, 14, 14), (2, 4, 16), (1, 3, 17), (2, 28, 28), (3, 7, 31), (2, 4, 40), (1, 6, 64),
    ];

    public enum Values
    {
        Distinct,    // uniform random: one maximum per window
        Ties,        // a few small integers (and ±0): many equal maxima, to test "first"
        WithNaN,     // random with NaN sprinkled in, sometimes two per window
    }

    public static TheoryData<int, int, int, Values> Cases()
    {
        var data = new TheoryData<int, int, int, Values>();
        foreach ((int planes, int height, int width) in Shapes)
        {
            foreach (Values values in Enum.GetValues<Values>())
            {
                data.Add(planes, height, width, values);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_the_naive_loop(int planes, int height, int width, Values values)
    {
        float[] input = Input(planes * height * width, values, seed: (height * 100) + width);
        var output = new float[planes * (height / 2) * (width / 2)];
        output.AsSpan().Fill(float.MaxValue); // every element must be written

        MaxPool.Forward2x2(input, output, planes, height, width);

        float[] expected = NaiveForward(input, planes, height, width);
        for (int i = 0; i < output.Length; i++)
        {
            Assert.True(
                float.IsNaN(expected[i]) ? float.IsNaN(output[i]) : output[i] == expected[i],
                $"output[{i}] = {output[i]}, expected {expected[i]}.");
        }
    }

    /// <summary>Each width's forward on every shape whose rows hold one of its vectors, whichever width this machine would pick.</summary>
    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    public void Forward_at_each_width_matches_the_naive_loop(int bits)
    {
        int checkedShapes = 0;
        foreach ((int planes, int height, int width) in Shapes.Where(shape => shape.Width / 2 * 2 >= bits / 32))
        {
            foreach (Values values in Enum.GetValues<Values>())
            {
                float[] input = Input(planes * height * width, values, seed: (height * 100) + width + bits);
                var output = new float[planes * (height / 2) * (width / 2)];
                output.AsSpan().Fill(float.MaxValue);
                ref float inputStart = ref input[0];
                ref float outputStart = ref output[0];
                switch (bits)
                {
                    case 128: MaxPool.Forward<Lanes128, Vector128<float>>(ref inputStart, ref outputStart, planes, height, width); break;
                    case 256: MaxPool.Forward<Lanes256, Vector256<float>>(ref inputStart, ref outputStart, planes, height, width); break;
                    default: MaxPool.Forward<Lanes512, Vector512<float>>(ref inputStart, ref outputStart, planes, height, width); break;
                }

                float[] expected = NaiveForward(input, planes, height, width);
                for (int i = 0; i < output.Length; i++)
                {
                    Assert.True(
                        float.IsNaN(expected[i]) ? float.IsNaN(output[i]) : output[i] == expected[i],
                        $"{bits} bits, {planes}×{height}×{width} {values}: output[{i}] = {output[i]}, expected {expected[i]}.");
                }
            }

            checkedShapes++;
        }

        Assert.True(checkedShapes >= 2, $"only {checkedShapes} shapes are wide enough for {bits} bits");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_routes_each_gradient_to_the_chosen_pixel(int planes, int height, int width, Values values)
    {
        float[] input = Input(planes * height * width, values, seed: (height * 100) + width + 7);
        float[] outputGradient = Input(planes * (height / 2) * (width / 2), Values.Distinct, seed: width);
        var inputGradient = new float[input.Length];
        inputGradient.AsSpan().Fill(float.NaN); // every element must be overwritten

        MaxPool.Backward2x2(input, outputGradient, inputGradient, planes, height, width);

        float[] expected = NaiveBackward(input, outputGradient, planes, height, width);
        for (int i = 0; i < input.Length; i++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(inputGradient[i]) == BitConverter.SingleToInt32Bits(expected[i]),
                $"inputGradient[{i}] (row {i / width % height}, column {i % width}) = {inputGradient[i]}, expected {expected[i]}.");
        }
    }

    [Fact]
    public void Mismatched_lengths_are_rejected_with_the_formula()
    {
        var exception = Assert.Throws<ArgumentException>(() => MaxPool.Forward2x2(new float[2 * 6 * 6], new float[2 * 3 * 2], 2, 6, 6));
        Assert.Contains("2·3·3", exception.Message);
        Assert.Throws<ArgumentException>(() => MaxPool.Backward2x2(new float[36], new float[9], new float[35], 1, 6, 6));
    }

    private static float[] NaiveForward(float[] input, int planes, int height, int width)
    {
        int outputHeight = height / 2, outputWidth = width / 2;
        var output = new float[planes * outputHeight * outputWidth];
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < outputHeight; oy++)
            {
                for (int ox = 0; ox < outputWidth; ox++)
                {
                    (int y, int x) = Chosen(input, p, oy, ox, height, width);
                    output[(((p * outputHeight) + oy) * outputWidth) + ox] = input[(((p * height) + y) * width) + x];
                }
            }
        }

        return output;
    }

    private static float[] NaiveBackward(float[] input, float[] outputGradient, int planes, int height, int width)
    {
        int outputHeight = height / 2, outputWidth = width / 2;
        var inputGradient = new float[input.Length];
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < outputHeight; oy++)
            {
                for (int ox = 0; ox < outputWidth; ox++)
                {
                    (int y, int x) = Chosen(input, p, oy, ox, height, width);
                    inputGradient[(((p * height) + y) * width) + x] += outputGradient[(((p * outputHeight) + oy) * outputWidth) + ox];
                }
            }
        }

        return inputGradient;
    }

    // PyTorch's CPU max_pool2d rule: scan the window row by row; a value replaces the best if it is
    // greater or NaN.
    private static (int Y, int X) Chosen(float[] input, int plane, int oy, int ox, int height, int width)
    {
        (int y, int x) best = (2 * oy, 2 * ox);
        for (int dy = 0; dy < 2; dy++)
        {
            for (int dx = 0; dx < 2; dx++)
            {
                float value = input[(((plane * height) + (2 * oy) + dy) * width) + (2 * ox) + dx];
                float current = input[(((plane * height) + best.y) * width) + best.x];
                if (value > current || float.IsNaN(value))
                {
                    best = ((2 * oy) + dy, (2 * ox) + dx);
                }
            }
        }

        return best;
    }

    private static float[] Input(int length, Values values, int seed)
    {
        var random = new Random(seed);
        var input = new float[length];
        for (int i = 0; i < length; i++)
        {
            input[i] = values switch
            {
                Values.Ties => random.Next(5) switch { 0 => -0f, 1 => 0f, int k => k - 3 },
                Values.WithNaN when random.Next(5) == 0 => float.NaN,
                _ => (random.NextSingle() * 2) - 1,
            };
        }

        return input;
    }
}
