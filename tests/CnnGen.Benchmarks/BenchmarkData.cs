namespace CnnGen.Benchmarks;

/// <summary>Deterministic inputs shared by all engines (seeded, so every BenchmarkDotNet process sees the same).</summary>
internal static class BenchmarkData
{
    public const int BatchSize = 64;

    /// <summary><paramref name="count"/> images of <paramref name="length"/> pixels, uniform in [0, 1) like normalized grey levels.</summary>
    public static float[] Images(int count, int length, int seed = 1) => Uniform(count * length, 0f, 1f, seed);

    /// <summary>Class labels uniform in [0, <paramref name="classes"/>).</summary>
    public static int[] Labels(int count, int classes, int seed = 2)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(classes)).ToArray();
    }

    public static float[] Uniform(int length, float min, float max, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = min + ((max - min) * random.NextSingle());
        }

        return values;
    }
}
