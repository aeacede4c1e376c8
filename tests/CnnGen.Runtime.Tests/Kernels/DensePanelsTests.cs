using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary><see cref="DensePanels"/> against the naive loop, over panel counts, splits and partial vectors.</summary>
public sealed class DensePanelsTests
{
    private const double Tolerance = 2e-5;

    /// <summary>
    /// (units, inputs). With 16 lanes: 64 = one panel of 4 vectors; 120 and 84 = LeNet-5's dense1 and dense2
    /// (8 and 6 vectors, the last partly padding); 130 = 9 vectors split 5 + 4; 1000 = 8 panels, the last of 7;
    /// 300 × 1 and 65 × 3 = shallow inputs and a panel whose last vector holds one unit.
    /// </summary>
    public static TheoryData<int, int> Shapes() => new()
    {
        { 64, 5 },
        { 120, 400 },
        { 84, 120 },
        { 130, 37 },
        { 1000, 41 },
        { 300, 1 },
        { 65, 3 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_naive_loop_and_writes_only_its_output(int units, int inputs)
    {
        float[] weight = GemmReference.RandomValues(units * inputs, seed: 1);
        float[] input = GemmReference.RandomValues(inputs, seed: 2);
        DensePanels.Packed packed = DensePanels.Pack(units, inputs, weight);

        // NaN where the output goes shows an unwritten unit; NaN guards either side show a write outside it.
        float[] buffer = new float[units + 32];
        Array.Fill(buffer, float.NaN);
        DensePanels.Forward(packed, input, buffer.AsSpan(16, units));

        (double[] expected, double[] scale) = GemmReference.Multiply(GemmVariant.NT, 1, units, inputs, input, weight, c0: null);
        GemmReference.AssertClose(expected, scale, buffer[16..(16 + units)], Tolerance, $"{units} × {inputs}");
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

    [Fact]
    public void Takes_layers_of_at_least_four_vectors()
    {
        // 10 units are fewer than 4 vectors at any width (4, 8 or 16 lanes), 64 at least 4.
        Assert.False(DensePanels.Takes(10));
        Assert.True(DensePanels.Takes(64));
        Assert.Throws<ArgumentOutOfRangeException>(() => DensePanels.Pack(10, 3, new float[30]));
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
