using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

public class DropoutTests
{
    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.3f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void DropsAboutPAndScalesSurvivorsByInverseKeep(float probability)
    {
        const int count = 200_000;
        float[] values = GemmReference.RandomValues(count, seed: 1);
        float[] original = (float[])values.Clone();
        float[] mask = new float[count];
        Dropout.Forward(values, mask, probability, new RandomSource(42));

        float scale = 1f / (1f - probability);
        int dropped = 0;
        double maskSum = 0;
        for (int i = 0; i < count; i++)
        {
            Assert.True(mask[i] == 0f || mask[i] == scale, $"mask[{i}] = {mask[i]}, expected 0 or {scale}.");
            Assert.Equal(original[i] * mask[i], values[i]);
            dropped += mask[i] == 0f ? 1 : 0;
            maskSum += mask[i];
        }

        // Binomial(n, p): 6 standard deviations is far outside chance, well inside a real bias.
        double sigma = Math.Sqrt(probability * (1 - probability) / count);
        Assert.InRange((double)dropped / count, probability - (6 * sigma), probability + (6 * sigma));

        // Inverted dropout keeps the expectation: the mean mask is 1.
        Assert.InRange(maskSum / count, 1 - (6 * sigma * scale), 1 + (6 * sigma * scale));
    }

    [Fact]
    public void MaskIsIndependentOfPositionAndReproducibleFromTheSeed()
    {
        float[] first = new float[10_000], second = new float[10_000];
        Dropout.Forward(new float[10_000], first, 0.5f, new RandomSource(7));
        Dropout.Forward(new float[10_000], second, 0.5f, new RandomSource(7));
        Assert.Equal(first, second);

        // Neighbours are not correlated: about a quarter of adjacent pairs are both kept.
        int bothKept = 0;
        for (int i = 1; i < first.Length; i++)
        {
            bothKept += first[i] != 0 && first[i - 1] != 0 ? 1 : 0;
        }

        Assert.InRange(bothKept / (double)(first.Length - 1), 0.22, 0.28);
    }

    [Fact]
    public void ProbabilityZeroKeepsEverythingAndOneDropsEverything()
    {
        float[] values = [1f, -2f, 3f, 4f, 5f];
        float[] mask = new float[5];
        Dropout.Forward(values, mask, 0f, new RandomSource(1));
        Assert.Equal([1f, -2f, 3f, 4f, 5f], values);
        Assert.All(mask, m => Assert.Equal(1f, m));

        Dropout.Forward(values, mask, 1f, new RandomSource(1));
        Assert.All(values, v => Assert.Equal(0f, v));
        Assert.All(mask, m => Assert.Equal(0f, m));
    }

    [Fact]
    public void BackwardMultipliesByTheMask()
    {
        float[] mask = [0f, 2f, 2f, 0f, 2f, 0f, 2f, 2f, 0f, 2f, 0f, 2f, 2f, 0f, 2f, 2f, 0f];
        float[] gradient = Enumerable.Range(1, mask.Length).Select(i => (float)i).ToArray();
        Dropout.Backward(mask, gradient);
        for (int i = 0; i < mask.Length; i++)
        {
            Assert.Equal((i + 1) * mask[i], gradient[i]);
        }
    }

    [Fact]
    public void RejectsInvalidArguments()
    {
        var random = new RandomSource(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.Forward(new float[3], new float[3], -0.1f, random));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.Forward(new float[3], new float[3], 1.5f, random));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.Forward(new float[3], new float[3], float.NaN, random));
        Assert.Throws<ArgumentException>(() => Dropout.Forward(new float[3], new float[4], 0.5f, random));
        Assert.Throws<ArgumentException>(() => Dropout.Backward(new float[3], new float[4]));
    }
}
