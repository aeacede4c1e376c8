using System.Runtime.Intrinsics;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary><see cref="DensePanels"/> against the naive loop, over panel counts, splits and partial vectors.</summary>
public sealed class DensePanelsTests
{
    private const double Tolerance = 2e-5;

    /// <summary>
    /// (units, inputs). With 16 lanes: 64 = one panel of 4 vectors; 120 and 84 = LeNet-5's dense1 and dense2
    /// (8 and 6 vectors, the last partly padding); 130 = 9 vectors split 5 + 4; 1000 = 8 panels, the last of 7;
    /// 300 × 1 and 65 × 3 = shallow inputs and a panel whose last vector holds one unit. Narrower vectors
    /// (the layouts of AVX2 and SSE machines, run here too) cut the same units into more panels.
    /// </summary>
    private static readonly (int Units, int Inputs)[] Shapes =
    [
        (64, 5), (120, 400), (84, 120), (130, 37), (1000, 41), (300, 1), (65, 3),
    ];

    /// <summary>The vector widths (floats) this machine runs: 16 with AVX-512, 8 with AVX, 4 always.</summary>
    private static IEnumerable<int> Lanes() =>
        new[] { 16, 8, 4 }.Where(lanes => lanes switch
        {
            16 => Vector512.IsHardwareAccelerated,
            8 => Vector256.IsHardwareAccelerated,
            _ => true,
        });

    public static TheoryData<int, int, int> ShapesAndLanes()
    {
        var data = new TheoryData<int, int, int>();
        foreach ((int units, int inputs) in Shapes)
        {
            foreach (int lanes in Lanes())
            {
                data.Add(units, inputs, lanes);
            }
        }

        return data;
    }

    public static TheoryData<int> EveryLanes() => new(Lanes());

    [Theory]
    [MemberData(nameof(ShapesAndLanes))]
    public void Matches_naive_loop_and_writes_only_its_output(int units, int inputs, int lanes)
    {
        float[] weight = GemmReference.RandomValues(units * inputs, seed: 1);
        float[] input = GemmReference.RandomValues(inputs, seed: 2);
        DensePanels.Packed packed = DensePanels.Pack(units, inputs, weight, lanes);

        // NaN where the output goes shows an unwritten unit; NaN guards either side show a write outside it.
        float[] buffer = new float[units + 32];
        Array.Fill(buffer, float.NaN);
        DensePanels.Forward(packed, input, buffer.AsSpan(16, units));

        (double[] expected, double[] scale) = GemmReference.Multiply(GemmVariant.NT, 1, units, inputs, input, weight, c0: null);
        GemmReference.AssertClose(expected, scale, buffer[16..(16 + units)], Tolerance, $"{units} × {inputs}, {lanes} lanes");
        Assert.All(buffer[..16].Concat(buffer[(16 + units)..]), guard => Assert.True(float.IsNaN(guard), "written outside the output"));
    }

    [Fact]
    public void Integer_inputs_are_exact()
    {
        const int units = 1000, inputs = 3136;
        float[] weight = GemmReference.RandomIntegers(units * inputs, seed: 3);
        float[] input = GemmReference.RandomIntegers(inputs, seed: 4);
        float[] output = new float[units];
        DensePanels.Forward(DensePanels.Pack(units, inputs, weight), input, output);

        (double[] expected, _) = GemmReference.Multiply(GemmVariant.NT, 1, units, inputs, input, weight, c0: null);
        for (int j = 0; j < units; j++)
        {
            Assert.True(expected[j] == output[j], $"unit {j} is {output[j]}, expected {expected[j]}.");
        }
    }

    /// <summary>1000 × 1103: 4.4 MB, past <see cref="DensePanels.StreamedBytes"/>; 1103 inputs leave 7 past the last whole 8.</summary>
    private const int StreamedUnits = 1000, StreamedInputs = 1103;

    [Theory]
    [MemberData(nameof(EveryLanes))]
    public void A_streamed_weight_skips_zero_inputs_and_gives_the_bits_of_reading_them_all(int lanes)
    {
        float[] weight = GemmReference.RandomValues(StreamedUnits * StreamedInputs, seed: 5);
        float[] input = GemmReference.RandomValues(StreamedInputs, seed: 6);
        var random = new Random(7);
        for (int i = 0; i < input.Length; i++)
        {
            double draw = random.NextDouble();
            input[i] = draw < 0.3 ? 0f : draw < 0.4 ? -0f : input[i]; // a ReLU's zeros, some of them negative
        }

        input[^1] = 0.5f; // the last input, in the scalar tail of the nonzero list, counts
        DensePanels.Packed packed = DensePanels.Pack(StreamedUnits, StreamedInputs, weight, lanes);
        Assert.True(packed.SkipsZeroInputs);

        float[] skipping = new float[StreamedUnits];
        DensePanels.Forward(packed, input, skipping);
        packed.SkipsZeroInputs = false;
        float[] readingAll = new float[StreamedUnits];
        DensePanels.Forward(packed, input, readingAll);

        Assert.Equal(readingAll, skipping);
        (double[] expected, double[] scale) = GemmReference.Multiply(GemmVariant.NT, 1, StreamedUnits, StreamedInputs, input, weight, c0: null);
        GemmReference.AssertClose(expected, scale, skipping, Tolerance, $"streamed weight, zero inputs skipped, {lanes} lanes");
    }

    [Fact]
    public void Zero_inputs_give_zero_outputs_when_every_input_is_skipped()
    {
        DensePanels.Packed packed = DensePanels.Pack(StreamedUnits, StreamedInputs, GemmReference.RandomValues(StreamedUnits * StreamedInputs, seed: 8));
        float[] output = new float[StreamedUnits];
        Array.Fill(output, float.NaN);

        DensePanels.Forward(packed, new float[StreamedInputs], output);

        Assert.All(output, value => Assert.Equal(0f, value));
    }

    [Fact]
    public void An_infinite_weight_keeps_every_input_read_so_zero_times_infinity_stays_NaN()
    {
        float[] weight = GemmReference.RandomValues(StreamedUnits * StreamedInputs, seed: 9);
        weight[(3 * StreamedInputs) + 10] = float.PositiveInfinity; // unit 3, input 10
        float[] input = GemmReference.RandomValues(StreamedInputs, seed: 10);
        input[10] = 0f;
        DensePanels.Packed packed = DensePanels.Pack(StreamedUnits, StreamedInputs, weight);
        float[] output = new float[StreamedUnits];

        DensePanels.Forward(packed, input, output);

        Assert.False(packed.SkipsZeroInputs);
        Assert.True(float.IsNaN(output[3]), $"unit 3 is {output[3]}: 0 · ∞ must make it NaN, as the unpacked product does.");
        Assert.False(float.IsNaN(output[4]));
    }

    [Fact]
    public void A_weight_that_stays_in_cache_reads_every_input()
    {
        // LeNet-5's dense1, 192 KB: addressing rows through the nonzero list costs more there than it saves.
        Assert.False(DensePanels.Pack(120, 400, new float[120 * 400]).SkipsZeroInputs);
    }

    [Fact]
    public void Takes_layers_of_at_least_four_vectors()
    {
        // 12 units are fewer than 4 vectors at any width (4, 8 or 16 lanes) — the generator gives layers of 12 or
        // fewer no panels field (FreezeEmitter.MayUsePanels) — 13 are 4 vectors of 4 lanes, 64 at least 4 at any.
        Assert.False(DensePanels.Takes(12));
        Assert.True(DensePanels.Takes(64));
        Assert.Throws<ArgumentOutOfRangeException>(() => DensePanels.Pack(10, 3, new float[30]));
        Assert.Throws<ArgumentOutOfRangeException>(() => DensePanels.Pack(12, 3, new float[36], lanes: 4));
        Assert.Equal(13, DensePanels.Pack(13, 3, new float[39], lanes: 4).Outputs);
    }

    [Fact]
    public void Wrong_lengths_are_refused_with_the_shape()
    {
        ArgumentException weight = Assert.Throws<ArgumentException>(() => DensePanels.Pack(64, 3, new float[191]));
        Assert.Contains("(64, 3)", weight.Message);

        DensePanels.Packed packed = DensePanels.Pack(64, 3, new float[192]);
        ArgumentException input = Assert.Throws<ArgumentException>(() => DensePanels.Forward(packed, new float[4], new float[64]));
        Assert.Contains("needs 3 inputs and 64 outputs", input.Message);
        Assert.Throws<ArgumentException>(() => DensePanels.Forward(packed, new float[3], new float[63]));
    }
}
