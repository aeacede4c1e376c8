using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

public enum Activation
{
    Relu,
    Sigmoid,
    Tanh,
}

public class ActivationTests
{
    // Lengths around every vector width (4, 8, 16 floats) so the overlapping-last-vector tails run.
    public static TheoryData<Activation, int> Cases()
    {
        var data = new TheoryData<Activation, int>();
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            foreach (int length in new[] { 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000 })
            {
                data.Add(activation, length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesDefinition(Activation activation, int length)
    {
        float[] x = Inputs(length, seed: length);
        float[] y = (float[])x.Clone();
        Forward(activation, y);
        for (int i = 0; i < length; i++)
        {
            double expected = Reference(activation, x[i]);
            Assert.True(Math.Abs(y[i] - expected) <= 1e-6 * (1 + Math.Abs(expected)), $"{activation}({x[i]}) = {y[i]}, expected {expected}.");
        }
    }

    /// <summary>
    /// Backward from the forward output must equal g · f'(x), with f'(x) from central differences of the
    /// double-precision definition — an independent check of the derivative formula, not a restatement.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesCentralDifferences(Activation activation, int length)
    {
        float[] x = Inputs(length, seed: length + 1);
        float[] y = (float[])x.Clone();
        Forward(activation, y);
        float[] upstream = GemmReference.RandomValues(length, seed: length + 2);
        float[] gradient = (float[])upstream.Clone();
        Backward(activation, y, gradient);

        const double h = 1e-4;
        for (int i = 0; i < length; i++)
        {
            double slope = (Reference(activation, x[i] + h) - Reference(activation, x[i] - h)) / (2 * h);
            double expected = upstream[i] * slope;
            Assert.True(
                Math.Abs(gradient[i] - expected) <= 1e-5 * (1 + Math.Abs(expected)),
                $"{activation} backward at x = {x[i]}: {gradient[i]}, expected {expected}.");
        }
    }

    [Fact]
    public void ReluBackwardPassesGradientOnlyWhereOutputIsPositive()
    {
        float[] output = [0f, 2f, 0f, 0.5f, 0f, 1e-30f, 3f, 0f, 7f, 0f, 0f, 1f, 0f, 4f, 0f, 9f, 0f];
        float[] gradient = Enumerable.Range(1, output.Length).Select(i => (float)i).ToArray();
        Relu.Backward(output, gradient);
        for (int i = 0; i < output.Length; i++)
        {
            Assert.Equal(output[i] > 0 ? i + 1 : 0f, gradient[i]);
        }
    }

    /// <summary>
    /// max(a + b, 0) against a naive loop, into a third span and in place over either operand; lengths across
    /// the kernel's 4096-float blocks (a ResNet-8 sample of 12,544 floats ends in a partial one).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(4096)]
    [InlineData(12544)]
    public void ReluAddThenForwardIsTheReluOfTheSum(int length)
    {
        var random = new Random(length);
        float[] a = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] b = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] expected = a.Zip(b, (x, y) => Math.Max(x + y, 0f)).ToArray();

        float[] output = new float[length];
        Array.Fill(output, float.NaN);
        Relu.AddThenForward(a, b, output);
        Assert.Equal(expected, output);

        float[] intoA = (float[])a.Clone();
        Relu.AddThenForward(intoA, b, intoA);
        Assert.Equal(expected, intoA);
        float[] intoB = (float[])b.Clone();
        Relu.AddThenForward(a, intoB, intoB);
        Assert.Equal(expected, intoB);
        Assert.Throws<ArgumentException>(() => Relu.AddThenForward(a, b, new float[length + 1]));
    }

    [Fact]
    public void ForwardSaturatesWithoutNaN()
    {
        float[] x = [-1000f, -100f, -20f, 20f, 100f, 1000f, float.MaxValue, float.MinValue];
        float[] sigmoid = (float[])x.Clone();
        Sigmoid.Forward(sigmoid);
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 1f, 1f, 0f], sigmoid.Select(v => MathF.Round(v, 6)).ToArray());
        float[] tanh = (float[])x.Clone();
        Tanh.Forward(tanh);
        Assert.Equal([-1f, -1f, -1f, 1f, 1f, 1f, 1f, -1f], tanh);
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    public void BackwardRejectsMismatchedLengths(Activation activation)
    {
        Assert.Throws<ArgumentException>(() => Backward(activation, new float[5], new float[4]));
    }

    private static float[] Inputs(int length, int seed)
    {
        // Spread over [−4, 4], kept at least 1e-2 from 0 so ReLU's kink is never inside a difference.
        float[] x = GemmReference.RandomValues(length, seed);
        for (int i = 0; i < length; i++)
        {
            x[i] = (4 * x[i]) + (x[i] >= 0 ? 0.01f : -0.01f);
        }

        return x;
    }

    private static double Reference(Activation activation, double x) => activation switch
    {
        Activation.Relu => Math.Max(x, 0),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        _ => Math.Tanh(x),
    };

    private static void Forward(Activation activation, Span<float> values)
    {
        switch (activation)
        {
            case Activation.Relu:
                Relu.Forward(values);
                break;
            case Activation.Sigmoid:
                Sigmoid.Forward(values);
                break;
            default:
                Tanh.Forward(values);
                break;
        }
    }

    private static void Backward(Activation activation, ReadOnlySpan<float> output, Span<float> gradient)
    {
        switch (activation)
        {
            case Activation.Relu:
                Relu.Backward(output, gradient);
                break;
            case Activation.Sigmoid:
                Sigmoid.Backward(output, gradient);
                break;
            default:
                Tanh.Backward(output, gradient);
                break;
        }
    }
}
