using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

public class ParameterInitTests
{
    [Theory]
    [InlineData(25)]    // conv 1 → 6, 5×5
    [InlineData(800)]   // conv 32 → 64, 5×5
    [InlineData(3136)]  // dense from 64×7×7
    public void DrawsFromUniformOverPlusMinusOneOverRootFanIn(int fanIn)
    {
        float bound = 1f / MathF.Sqrt(fanIn);
        float[] weight = new float[100_000];
        float[] bias = new float[1000];
        ParameterInit.PyTorchDefault(weight, bias, fanIn, new RandomSource(3));

        Assert.All(weight, w => Assert.InRange(w, -bound, bound));
        Assert.All(bias, b => Assert.InRange(b, -bound, bound));

        // U(−b, b): mean 0 and variance b²/3; both checked to 6 standard errors.
        double mean = weight.Average(w => (double)w);
        double variance = weight.Average(w => ((double)w * w)) - (mean * mean);
        double standardError = bound / Math.Sqrt(3 * weight.Length);
        Assert.InRange(mean, -6 * standardError, 6 * standardError);
        Assert.InRange(variance / (bound * bound / 3), 0.98, 1.02);

        // The whole interval is used, not a narrower one.
        Assert.True(weight.Max() > 0.99f * bound && weight.Min() < -0.99f * bound);
        Assert.True(bias.Max() > 0.9f * bound && bias.Min() < -0.9f * bound);
    }

    [Fact]
    public void FillsWeightFirstThenBias()
    {
        float[] weight = new float[50], bias = new float[5];
        ParameterInit.PyTorchDefault(weight, bias, 9, new RandomSource(11));

        var random = new RandomSource(11);
        float[] expectedWeight = new float[50], expectedBias = new float[5];
        random.FillUniform(expectedWeight, -1f / 3, 1f / 3);
        random.FillUniform(expectedBias, -1f / 3, 1f / 3);
        Assert.Equal(expectedWeight, weight);
        Assert.Equal(expectedBias, bias);
    }

    [Fact]
    public void RejectsNonPositiveFanIn()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterInit.PyTorchDefault(new float[1], [], 0, new RandomSource(1)));
    }
}
