namespace CnnGen.Runtime.Tests;

/// <summary>The trainer's and the dataset's buffer sizes never wrap: a product too big for an array names both factors.</summary>
public sealed class CheckedSizeTests
{
    [Fact]
    public void A_product_that_fits_is_returned()
    {
        Assert.Equal(64 * 784, CheckedSize.Floats(64, 784, "batch size", "InputLength", "options"));
    }

    /// <summary>5,478,275 × 784 wraps to 304 in int arithmetic; here it is an error that says what was asked.</summary>
    [Fact]
    public void A_product_that_would_wrap_is_an_error_naming_both_factors()
    {
        var error = Assert.Throws<ArgumentException>(() => CheckedSize.Floats(5_478_275, 784, "batch size", "InputLength", "options"));
        Assert.Contains("batch size 5478275 × InputLength 784 = 4294967600 floats", error.Message);
        Assert.Equal("options", error.ParamName);
    }
}
