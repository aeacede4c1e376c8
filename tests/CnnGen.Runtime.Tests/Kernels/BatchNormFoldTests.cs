using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// <see cref="BatchNormFold"/>: a layer y = W·x + b followed by inference-mode BatchNorm, written here as naive
/// double loops from PyTorch's definition ((y − mean)/√(var + ε)·γ + β), against the folded layer W'·x + b'.
/// </summary>
public class BatchNormFoldTests
{
    private const float Epsilon = 1e-5f;

    [Theory]
    [InlineData(3, 1, true)]
    [InlineData(16, 9, false)]
    [InlineData(32, 144, true)]
    [InlineData(5, 27, false)]
    public void Folded_layer_equals_the_layer_then_batch_norm(int channels, int row, bool hasBias)
    {
        var random = new Random((channels * 1000) + row);
        float[] weight = Uniform(random, channels * row, -1, 1), bias = hasBias ? Uniform(random, channels, -1, 1) : [];
        float[] gamma = Uniform(random, channels, -2, 2), beta = Uniform(random, channels, -1, 1);
        float[] mean = Uniform(random, channels, -3, 3), variance = Uniform(random, channels, 0.01f, 4);
        var foldedWeight = new float[weight.Length];
        var foldedBias = new float[channels];
        foldedBias.AsSpan().Fill(float.NaN);

        BatchNormFold.Into(weight, bias, gamma, beta, mean, variance, Epsilon, foldedWeight, foldedBias);

        for (int sample = 0; sample < 3; sample++)
        {
            float[] x = Uniform(random, row, -2, 2);
            for (int c = 0; c < channels; c++)
            {
                double y = hasBias ? bias[c] : 0, folded = foldedBias[c], scale = 0;
                for (int k = 0; k < row; k++)
                {
                    y += (double)weight[(c * row) + k] * x[k];
                    folded += (double)foldedWeight[(c * row) + k] * x[k];
                    scale += Math.Abs((double)weight[(c * row) + k] * x[k]);
                }

                double expected = ((y - mean[c]) / Math.Sqrt(variance[c] + (double)Epsilon) * gamma[c]) + beta[c];
                double magnitude = ((scale + Math.Abs(mean[c]) + 1) * Math.Abs(gamma[c]) / Math.Sqrt(variance[c] + (double)Epsilon)) + Math.Abs(beta[c]);
                Assert.True(
                    Math.Abs(folded - expected) <= 1e-6 * magnitude,
                    $"channel {c}, sample {sample}: folded {folded}, layer then BatchNorm {expected} (magnitude {magnitude}).");
            }
        }
    }

    [Fact]
    public void Folds_in_place()
    {
        float[] weight = [1, 2, 3, 4], bias = [0.5f, -0.5f];
        float[] gamma = [2, 3], beta = [1, -1], mean = [0.25f, 1], variance = [4 - Epsilon, 9 - Epsilon];

        BatchNormFold.Into(weight, bias, gamma, beta, mean, variance, Epsilon, weight, bias);

        // s = γ/√(var + ε) = 1 and 1: W' = W, b' = (b − mean)·1 + β.
        Assert.Equal([1f, 2f, 3f, 4f], weight, new FloatTolerance(1e-6f));
        Assert.Equal([1.25f, -2.5f], bias, new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Mismatched_lengths_are_refused()
    {
        float[] four = new float[4], two = new float[2];
        Assert.Throws<ArgumentException>(() => BatchNormFold.Into(new float[5], default, two, two, two, two, Epsilon, new float[5], two));
        Assert.Throws<ArgumentException>(() => BatchNormFold.Into(four, new float[3], two, two, two, two, Epsilon, four, two));
        Assert.Throws<ArgumentException>(() => BatchNormFold.Into(four, default, two, two, two, two, Epsilon, new float[2], two));
        Assert.Throws<ArgumentException>(() => BatchNormFold.Into(four, default, two, new float[3], two, two, Epsilon, four, two));
    }

    private static float[] Uniform(Random random, int count, float low, float high) =>
        Enumerable.Range(0, count).Select(_ => low + ((high - low) * (float)random.NextDouble())).ToArray();

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float value) => 0;
    }
}
