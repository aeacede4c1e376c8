using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

public class SoftmaxTests
{
    public static TheoryData<int, int> Shapes() => new()
    {
        { 1, 1 }, { 2, 1 }, { 10, 1 }, { 17, 1 }, { 100, 1 }, // plain vectors
        { 1, 7 }, { 3, 5 }, { 10, 49 }, { 4, 17 }, { 21, 100 }, // (C, P) planes
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMatchesDefinition(int channels, int planeSize)
    {
        float[] x = Scaled(GemmReference.RandomValues(channels * planeSize, seed: channels + planeSize), 5f);
        float[] y = (float[])x.Clone();
        Softmax.Forward(y, channels, planeSize);
        double[] expected = Reference(x, channels, planeSize);
        for (int i = 0; i < y.Length; i++)
        {
            Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-6, $"element {i}: {y[i]}, expected {expected[i]}.");
        }
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(1000f)]
    [InlineData(-1000f)]
    [InlineData(80f)]
    public void ForwardIsStableForLargeLogits(float offset)
    {
        // exp(1000) overflows float; only a max-shifted softmax gets softmax([2, 1, 0, −1]) back.
        float[] vector = [offset + 2, offset + 1, offset, offset - 1];
        Softmax.Forward(vector, 4, 1);
        double[] expected = Reference([2, 1, 0, -1], 4, 1);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], vector[i], 1e-6);
        }

        // (C = 2, P = 3): position 0 has huge logits, position 1 huge negative ones, position 2 a mix.
        float[] planes = [1000f, -1000f, 1000f, 999f, -1001f, -1000f];
        Softmax.Forward(planes, 2, 3);
        double e = 1 / (1 + Math.Exp(-1));
        double[] expectedPlanes = [e, e, 1, 1 - e, 1 - e, 0];
        for (int i = 0; i < planes.Length; i++)
        {
            Assert.Equal(expectedPlanes[i], planes[i], 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryPositionSumsToOne(int channels, int planeSize)
    {
        float[] y = Scaled(GemmReference.RandomValues(channels * planeSize, seed: 7), 20f);
        Softmax.Forward(y, channels, planeSize);
        for (int p = 0; p < planeSize; p++)
        {
            double sum = 0;
            for (int c = 0; c < channels; c++)
            {
                sum += y[(c * planeSize) + p];
            }

            Assert.Equal(1.0, sum, 1e-5);
        }
    }

    /// <summary>
    /// For L = Σ w ⊙ softmax(x), backward with g = w from y = softmax(x) must give ∂L/∂x, here by
    /// central differences of the double-precision softmax.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardMatchesCentralDifferences(int channels, int planeSize)
    {
        int length = channels * planeSize;
        float[] x = Scaled(GemmReference.RandomValues(length, seed: 11), 3f);
        float[] w = GemmReference.RandomValues(length, seed: 12);
        float[] y = (float[])x.Clone();
        Softmax.Forward(y, channels, planeSize);
        float[] gradient = (float[])w.Clone();
        Softmax.Backward(y, gradient, channels, planeSize);

        const double h = 1e-4;
        double[] shifted = x.Select(v => (double)v).ToArray();
        for (int i = 0; i < length; i++)
        {
            shifted[i] = x[i] + h;
            double plus = Loss(shifted, w, channels, planeSize);
            shifted[i] = x[i] - h;
            double minus = Loss(shifted, w, channels, planeSize);
            shifted[i] = x[i];
            double expected = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(gradient[i] - expected) <= 1e-5, $"element {i}: {gradient[i]}, expected {expected}.");
        }
    }

    [Fact]
    public void RejectsShapeThatDoesNotMatchTheSpan()
    {
        Assert.Throws<ArgumentException>(() => Softmax.Forward(new float[10], 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Softmax.Forward(new float[10], 0, 10));
        Assert.Throws<ArgumentException>(() => Softmax.Backward(new float[9], new float[10], 3, 3));
    }

    private static float[] Scaled(float[] values, float factor) => values.Select(v => v * factor).ToArray();

    private static double[] Reference(IReadOnlyList<float> x, int channels, int planeSize) =>
        ReferenceDouble(x.Select(v => (double)v).ToArray(), channels, planeSize);

    private static double[] ReferenceDouble(double[] x, int channels, int planeSize)
    {
        var y = new double[x.Length];
        for (int p = 0; p < planeSize; p++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < channels; c++)
            {
                max = Math.Max(max, x[(c * planeSize) + p]);
            }

            double sum = 0;
            for (int c = 0; c < channels; c++)
            {
                sum += Math.Exp(x[(c * planeSize) + p] - max);
            }

            for (int c = 0; c < channels; c++)
            {
                y[(c * planeSize) + p] = Math.Exp(x[(c * planeSize) + p] - max) / sum;
            }
        }

        return y;
    }

    private static double Loss(double[] x, float[] w, int channels, int planeSize)
    {
        double[] y = ReferenceDouble(x, channels, planeSize);
        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            loss += w[i] * y[i];
        }

        return loss;
    }
}
