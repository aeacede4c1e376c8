namespace CnnGen.Parity.Tests.Parity;

/// <summary>The parity metric itself: a parity test is only as good as the comparison it asserts.</summary>
public sealed class DifferenceTests
{
    [Fact]
    public void Relative_is_the_worst_absolute_error_over_the_largest_reference_magnitude()
    {
        var difference = Difference.Of("t", [1f, -2.0004f, 0.5f], [1f, -2f, 0.4999f]);

        Assert.Equal(3, difference.Count);
        Assert.Equal(1, difference.WorstIndex);
        Assert.Equal(4e-4, difference.MaxAbsolute, 1e-7);
        Assert.Equal(2.0, difference.Scale);
        Assert.Equal(2e-4, difference.Relative, 1e-7);
    }

    [Fact]
    public void Identical_tensors_have_zero_difference_and_a_single_bad_element_is_caught()
    {
        float[] reference = Enumerable.Range(0, 1000).Select(i => MathF.Sin(i)).ToArray();
        Assert.Equal(0, Difference.Of("same", reference, reference).Relative);

        float[] perturbed = (float[])reference.Clone();
        perturbed[777] += 1e-3f;
        var difference = Difference.Of("one off", perturbed, reference);
        Assert.Equal(777, difference.WorstIndex);
        Assert.True(difference.Relative > ParityLog.Tolerance);
    }

    [Fact]
    public void NaN_fails_and_an_all_zero_reference_tolerates_no_difference()
    {
        Assert.Equal(double.PositiveInfinity, Difference.Of("nan", [1f, float.NaN], [1f, 2f]).Relative);
        Assert.True(Difference.Of("zeros", [0f, 1e-20f], [0f, 0f]).Relative > ParityLog.Tolerance);
        Assert.Equal(0, Difference.Of("zeros", [0f, 0f], [0f, 0f]).Relative);
    }

    [Fact]
    public void Excluded_elements_count_neither_in_the_error_nor_in_the_scale()
    {
        var difference = Difference.Of("masked", [1f, 50f, 2f], [1f, 100f, 2.0001f], [false, true, false]);

        Assert.Equal(2, difference.Count);
        Assert.Equal(1, difference.Excluded);
        Assert.Equal(2, difference.WorstIndex);
        Assert.Equal(2.0001, difference.Scale, 1e-6);
        Assert.Equal(1e-4 / 2.0001, difference.Relative, 1e-6);
    }
}
