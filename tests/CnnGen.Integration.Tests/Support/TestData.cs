using CnnGen.Integration.Tests.Oracles;

namespace CnnGen.Integration.Tests.Support;

/// <summary>Seeded random test data and float/double conversions.</summary>
internal static class TestData
{
    /// <summary><paramref name="length"/> values uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public static float[] Uniform(Random random, int length, double min = -1, double max = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(min + ((max - min) * random.NextDouble()));
        }

        return values;
    }

    /// <summary>
    /// Random parameters laid out as the oracle expects: weights uniform in ±√(3 / fan_in), so each
    /// layer keeps its input's scale (activations stay away from saturation and float error stays
    /// small), and biases uniform in ±0.5.
    /// </summary>
    public static void FillParameters(Random random, OracleNetwork oracle, Span<float> parameters)
    {
        foreach ((int offset, int[] shape) in oracle.ParameterTensors())
        {
            int length = shape.Aggregate(1, (a, b) => a * b);
            double bound = shape.Length == 1 ? 0.5 : Math.Sqrt(3.0 / (length / shape[0]));
            Uniform(random, length, -bound, bound).CopyTo(parameters.Slice(offset, length));
        }
    }

    /// <summary>A seed that depends only on the text (string.GetHashCode is randomized per process).</summary>
    public static int StableSeed(string text) => text.Aggregate(17, (hash, c) => unchecked((hash * 31) + c));

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }
}
