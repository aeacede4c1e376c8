namespace CnnGen.Integration.Tests.Support;

/// <summary>Element-wise comparison of float results with a double-precision reference.</summary>
internal static class NumericAssert
{
    /// <summary>Forward results: float arithmetic against double, ~1e-5 relative plus 1e-5 absolute.</summary>
    public const double ForwardTolerance = 1e-5;

    /// <summary>
    /// Gradients: float back-propagation against double finite differences. The sums are longer and the
    /// finite difference carries its own O(h²) and round-off error, so the bound is looser.
    /// </summary>
    public const double GradientRelative = 1e-4, GradientAbsolute = 1e-5;

    /// <summary>Fails, naming the first offending index and the number of offenders, unless |a − e| ≤ abs + rel·|e| everywhere.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double relative, double absolute, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        int mismatches = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs(actual[i] - expected[i]);
            if (!(difference <= absolute + (relative * Math.Abs(expected[i]))))
            {
                mismatches++;
                first = first < 0 ? i : first;
            }
        }

        Assert.True(
            mismatches == 0,
            mismatches == 0 ? string.Empty : $"{what}: {mismatches} of {expected.Length} values differ; first at [{first}]: expected {expected[first]:R}, actual {actual[first]:R}");
    }

    public static void ForwardClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, string what) =>
        Close(expected, actual, ForwardTolerance, ForwardTolerance, what);

    public static void GradientClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, string what) =>
        Close(expected, actual, GradientRelative, GradientAbsolute, what);
}
