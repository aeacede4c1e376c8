namespace CnnGen.Benchmarks;

/// <summary>Same weights, same inputs, same outputs: checked before anything is timed.</summary>
internal static class Agreement
{
    private const float AbsoluteTolerance = 2e-4f;
    private const float RelativeTolerance = 1e-3f; // of the largest |CnnGen output|

    /// <summary>
    /// Throws when <paramref name="yardstick"/> differs from <paramref name="cnnGen"/> by more than
    /// 2e-4 + 1e-3 · max|cnnGen|; returns the largest absolute difference otherwise.
    /// </summary>
    public static float Check(string what, string engine, ReadOnlySpan<float> cnnGen, ReadOnlySpan<float> yardstick)
    {
        if (cnnGen.Length != yardstick.Length)
        {
            throw new InvalidOperationException($"{what}: {engine} produced {yardstick.Length} values, CnnGen {cnnGen.Length}.");
        }

        float largest = 0f, maxDifference = 0f;
        int worst = 0;
        for (int i = 0; i < cnnGen.Length; i++)
        {
            largest = MathF.Max(largest, MathF.Abs(cnnGen[i]));
            float difference = MathF.Abs(cnnGen[i] - yardstick[i]);
            if (float.IsNaN(difference) || difference > maxDifference)
            {
                maxDifference = difference;
                worst = i;
                if (float.IsNaN(difference))
                {
                    break; // fails below: NaN compares false with any tolerance
                }
            }
        }

        float tolerance = AbsoluteTolerance + (RelativeTolerance * largest);
        if (!(maxDifference <= tolerance))
        {
            throw new InvalidOperationException(
                $"{what}: {engine} disagrees with CnnGen: max |difference| {maxDifference:G3} at output {worst} " +
                $"(CnnGen {cnnGen[worst]:G6}, {engine} {yardstick[worst]:G6}) exceeds the tolerance {tolerance:G3}. " +
                "The engines are not computing the same network; no timing of it means anything.");
        }

        return maxDifference;
    }
}
