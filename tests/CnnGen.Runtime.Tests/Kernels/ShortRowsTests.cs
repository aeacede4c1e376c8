using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary><see cref="ShortRows"/> against element loops, for every length around its vector cases.</summary>
public class ShortRowsTests
{
    public static TheoryData<int> Lengths() => new(Enumerable.Range(0, 41));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Copy_writes_exactly_the_segment(int length)
    {
        float[] source = Values(64, seed: length);
        float[] destination = Values(64, seed: 100 + length);
        float[] expected = (float[])destination.Clone();
        for (int i = 0; i < length; i++)
        {
            expected[9 + i] = source[3 + i];
        }

        ShortRows.Copy(source, 3, destination, 9, length);

        Assert.Equal(expected, destination);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Add_adds_exactly_the_segment(int length)
    {
        float[] source = Values(64, seed: length);
        float[] destination = Values(64, seed: 100 + length);
        float[] expected = (float[])destination.Clone();
        for (int i = 0; i < length; i++)
        {
            expected[5 + i] += source[11 + i];
        }

        ShortRows.Add(source, 11, destination, 5, length);

        Assert.Equal(expected, destination);
    }

    [Fact]
    public void A_segment_past_the_end_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ShortRows.Copy(new float[20], 10, new float[20], 0, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShortRows.Add(new float[20], 0, new float[20], 12, 9));
    }

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.NextSingle()).ToArray();
    }
}
