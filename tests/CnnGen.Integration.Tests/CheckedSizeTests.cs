using CnnGen.Integration.Tests.Support;

namespace CnnGen.Integration.Tests;

/// <summary>One float in, one out, 8,192 in between: a batch whose activations outgrow an array while its input and output stay small.</summary>
[Network, Input(1, 1, 1), Flatten, Dense(8192), Dense(1)]
internal partial class WideHidden;

/// <summary>One float in, 8,192 out: a batch whose output length overflows int while its input stays small.</summary>
[Network, Input(1, 1, 1), Flatten, Dense(8192)]
internal partial class WideOutput;

/// <summary>
/// Every length a batch size meets is computed without overflow: a batch either runs or is refused with an
/// <see cref="ArgumentException"/> that names the lengths, never wraps around into a check it passes.
/// </summary>
public sealed class CheckedSizeTests
{
    /// <summary>5,478,275 × 784 = 2³² + 304: in int the expected input length wraps to 304.</summary>
    [Fact]
    public void A_batch_whose_input_length_overflows_int_is_refused_naming_both_lengths()
    {
        var net = new FashionNet();
        ArgumentException error = Assert.Throws<ArgumentException>(() => net.ForwardBatch(new float[304], new float[10], 5_478_275));

        Assert.Equal("input", error.ParamName);
        Assert.Contains("304", error.Message);
        Assert.Contains("4294967600", error.Message);
    }

    /// <summary>524,289 × 8,192 = 2³² + 8,192: the expected output length wraps to 8,192.</summary>
    [Fact]
    public void A_batch_whose_output_length_overflows_int_is_refused_naming_both_lengths()
    {
        var net = new WideOutput();
        const int Batch = 524_289;
        ArgumentException error = Assert.Throws<ArgumentException>(() => net.ForwardBatch(new float[Batch], new float[8192], Batch));

        Assert.Equal("output", error.ParamName);
        Assert.Contains("8192", error.Message);
        Assert.Contains("4294975488", error.Message);
    }

    [Fact]
    public void BackwardBatch_refuses_a_wrong_length_naming_it()
    {
        var net = new WideHidden { IsTraining = true };
        net.ForwardBatch(new float[2], new float[2], 2);

        // 2 samples: the checks themselves are what is tested, with lengths that do not match.
        ArgumentException error = Assert.Throws<ArgumentException>(() => net.BackwardBatch(new float[3], default, 2));
        Assert.Equal("outputGradient", error.ParamName);
        Assert.Contains("3", error.Message);
    }

    /// <summary>
    /// 300,000 samples of 1 float each fit, but their activations (8,194 floats a sample) are 2.46·10⁹ floats,
    /// more than an array holds: refused up front, not an overflow or an index out of range deep inside.
    /// </summary>
    [Fact]
    public void A_batch_whose_arena_outgrows_an_array_is_refused_clearly()
    {
        var net = new WideHidden();
        const int Batch = 300_000;
        ArgumentException error = Assert.Throws<ArgumentException>(() => net.ForwardBatch(new float[Batch], new float[Batch], Batch));

        Assert.Equal("batchSize", error.ParamName);
        Assert.Contains("WideHidden", error.Message);
        Assert.Contains(Array.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.True(WideHidden.InferenceArenaBytesFor(Batch) > 4L * Array.MaxLength);
        Assert.True(WideHidden.TrainingArenaBytes(int.MaxValue) > 0);
    }
}
