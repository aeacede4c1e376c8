namespace CnnGen.Parity.Tests;

/// <summary>Deterministic inputs, labels and seeds.</summary>
internal static class TestData
{
    /// <summary><paramref name="count"/> values uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public static float[] Uniform(Random random, int count, float min = -1f, float max = 1f)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = min + ((max - min) * random.NextSingle());
        }

        return values;
    }

    public static int[] Labels(Random random, int count, int classes)
    {
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(classes);
        }

        return labels;
    }

    /// <summary>A seed derived from <paramref name="name"/> that, unlike <see cref="string.GetHashCode()"/>, is the same in every process.</summary>
    public static int StableSeed(string name)
    {
        unchecked
        {
            int hash = (int)2166136261;
            foreach (char c in name)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash & 0x7FFFFFFF;
        }
    }
}
