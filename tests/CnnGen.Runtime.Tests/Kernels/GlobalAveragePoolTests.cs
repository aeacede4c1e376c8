using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// <see cref="GlobalAveragePool"/> (PyTorch's <c>AdaptiveAvgPool2d(1)</c>) against the mean in double,
/// and its backward against central differences of L = Σ w ⊙ y.
/// </summary>
public class GlobalAveragePoolTests
{
    // (rows = N·C, plane = H·W): P = 1, 7 (scalar tail only), 17, 49, 784 (28×28), 4096; no rows at all.
    public static TheoryData<int, int> Shapes() => new()
    {
        { 1, 1 }, { 6, 1 }, { 3, 7 }, { 5, 17 }, { 15, 49 }, { 2, 784 }, { 3, 4096 }, { 0, 5 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_is_the_mean_rounded_once(int rows, int plane)
    {
        float[] input = Input(rows, plane, seed: (rows * 100) + plane);
        var output = new float[rows];
        output.AsSpan().Fill(float.NaN);

        GlobalAveragePool.Forward(input, output, rows, plane);

        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int p = 0; p < plane; p++)
            {
                sum += input[(r * plane) + p];
            }

            double mean = sum / plane;
            // Accumulated in double, the result is the float nearest the mean (half an ulp, with a hair of slack).
            Assert.True(Math.Abs(output[r] - mean) <= 0.51 * (MathF.BitIncrement(Math.Abs((float)mean)) - Math.Abs((float)mean)),
                $"row {r}: {output[r]}, expected {mean}.");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Backward_matches_central_differences_and_overwrites(int rows, int plane)
    {
        float[] input = Input(rows, plane, seed: plane);
        float[] w = GemmReference.RandomValues(rows, seed: rows + 1);
        var inputGradient = new float[rows * plane];
        inputGradient.AsSpan().Fill(float.NaN);

        GlobalAveragePool.Backward(w, inputGradient, rows, plane);

        const double h = 1e-3;
        double[] x = input.Select(v => (double)v).ToArray();
        double Loss()
        {
            double loss = 0;
            for (int r = 0; r < rows; r++)
            {
                double sum = 0;
                for (int p = 0; p < plane; p++)
                {
                    sum += x[(r * plane) + p];
                }

                loss += w[r] * sum / plane;
            }

            return loss;
        }

        // Every element of a small shape; the first and last of every row of a large one.
        IEnumerable<int> elements = plane <= 49
            ? Enumerable.Range(0, rows * plane)
            : Enumerable.Range(0, rows).SelectMany(r => new[] { r * plane, (r * plane) + plane - 1 });
        foreach (int i in elements)
        {
            double original = x[i];
            x[i] = original + h;
            double plus = Loss();
            x[i] = original - h;
            double minus = Loss();
            x[i] = original;
            double expected = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(inputGradient[i] - expected) <= 1e-9 + (1e-6 * Math.Abs(expected)), $"element {i}: {inputGradient[i]}, expected {expected}.");
        }

        Assert.DoesNotContain(inputGradient, float.IsNaN);
    }

    [Fact]
    public void A_warm_call_allocates_nothing()
    {
        float[] input = Input(64, 49, seed: 1);
        float[] output = new float[64], inputGradient = new float[input.Length];
        GlobalAveragePool.Forward(input, output, 64, 49);
        GlobalAveragePool.Backward(output, inputGradient, 64, 49);

        long before = GC.GetAllocatedBytesForCurrentThread();
        GlobalAveragePool.Forward(input, output, 64, 49);
        GlobalAveragePool.Backward(output, inputGradient, 64, 49);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Wrong_lengths_and_overlaps_are_rejected_naming_both()
    {
        Assert.Contains("input has 20 floats, not rows·plane = 3·7 = 21",
            Assert.Throws<ArgumentException>(() => GlobalAveragePool.Forward(new float[20], new float[3], 3, 7)).Message);
        Assert.Contains("output has 4 floats but rows is 3 (input has 21)",
            Assert.Throws<ArgumentException>(() => GlobalAveragePool.Forward(new float[21], new float[4], 3, 7)).Message);
        Assert.Contains("inputGradient has 22 floats, not rows·plane = 3·7 = 21",
            Assert.Throws<ArgumentException>(() => GlobalAveragePool.Backward(new float[3], new float[22], 3, 7)).Message);
        var buffer = new float[21];
        Assert.Contains("overlaps",
            Assert.Throws<ArgumentException>(() => GlobalAveragePool.Backward(buffer.AsSpan(0, 3), buffer, 3, 7)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GlobalAveragePool.Forward([], [], 0, 0));
    }

    // Rows with different offsets (up to ±100), so a float running sum would visibly round.
    private static float[] Input(int rows, int plane, int seed)
    {
        var random = new Random(seed);
        var input = new float[rows * plane];
        for (int r = 0; r < rows; r++)
        {
            double offset = (random.NextDouble() * 200) - 100;
            for (int p = 0; p < plane; p++)
            {
                input[(r * plane) + p] = (float)(offset + (random.NextDouble() * 2) - 1);
            }
        }

        return input;
    }
}
