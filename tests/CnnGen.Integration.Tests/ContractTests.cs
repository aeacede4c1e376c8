using CnnGen.Integration.Tests.Networks;

namespace CnnGen.Integration.Tests;

/// <summary>Argument checks, the training protocol's guard, Summary and layer names.</summary>
public sealed class ContractTests
{
    [Theory]
    [InlineData(LeNet5.InputLength - 1, LeNet5.OutputLength)]
    [InlineData(LeNet5.InputLength + 1, LeNet5.OutputLength)]
    [InlineData(LeNet5.InputLength, LeNet5.OutputLength - 1)]
    [InlineData(LeNet5.InputLength, LeNet5.OutputLength + 3)]
    public void Forward_with_a_wrong_length_names_both_lengths(int inputLength, int outputLength)
    {
        var net = new LeNet5();
        bool inputWrong = inputLength != LeNet5.InputLength;
        int expected = inputWrong ? LeNet5.InputLength : LeNet5.OutputLength;
        int actual = inputWrong ? inputLength : outputLength;

        var error = Assert.ThrowsAny<ArgumentException>(() => net.Forward(new float[inputLength], new float[outputLength]));

        Assert.Contains(expected.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(actual.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForwardBatch_with_a_wrong_length_names_both_lengths()
    {
        var net = new LeNet5();
        var error = Assert.ThrowsAny<ArgumentException>(() => net.ForwardBatch(new float[3 * LeNet5.InputLength], new float[2 * LeNet5.OutputLength], 3));
        Assert.Contains((3 * LeNet5.OutputLength).ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains((2 * LeNet5.OutputLength).ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForwardBatch_with_batch_size_0_throws()
    {
        var net = new LeNet5();
        Assert.ThrowsAny<ArgumentException>(() => net.ForwardBatch([], [], 0));
    }

    [Fact]
    public void BackwardBatch_with_wrong_gradient_lengths_names_both_lengths()
    {
        var net = new LeNet5 { IsTraining = true };
        net.ForwardBatch(new float[2 * LeNet5.InputLength], new float[2 * LeNet5.OutputLength], 2);

        var output = Assert.ThrowsAny<ArgumentException>(() => net.BackwardBatch(new float[19], default, 2));
        Assert.Contains("19", output.Message, StringComparison.Ordinal);
        Assert.Contains((2 * LeNet5.OutputLength).ToString(), output.Message, StringComparison.Ordinal);

        var input = Assert.ThrowsAny<ArgumentException>(() => net.BackwardBatch(new float[2 * LeNet5.OutputLength], new float[LeNet5.InputLength], 2));
        Assert.Contains(LeNet5.InputLength.ToString(), input.Message, StringComparison.Ordinal);
        Assert.Contains((2 * LeNet5.InputLength).ToString(), input.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BackwardBatch_without_a_training_forward_throws()
    {
        var net = new LeNet5();
        var outputGradient = new float[2 * LeNet5.OutputLength];
        Assert.Throws<InvalidOperationException>(() => net.BackwardBatch(outputGradient, default, 2));

        net.IsTraining = false;
        net.ForwardBatch(new float[2 * LeNet5.InputLength], new float[2 * LeNet5.OutputLength], 2);
        Assert.Throws<InvalidOperationException>(() => net.BackwardBatch(outputGradient, default, 2));
    }

    [Fact]
    public void BackwardBatch_after_a_training_forward_of_another_batch_size_throws()
    {
        var net = new LeNet5 { IsTraining = true };
        net.ForwardBatch(new float[3 * LeNet5.InputLength], new float[3 * LeNet5.OutputLength], 3);
        Assert.Throws<InvalidOperationException>(() => net.BackwardBatch(new float[2 * LeNet5.OutputLength], default, 2));
    }

    [Fact]
    public void BackwardBatch_after_an_inference_Forward_overwrote_the_cache_throws()
    {
        var net = new LeNet5 { IsTraining = true };
        net.ForwardBatch(new float[LeNet5.InputLength], new float[LeNet5.OutputLength], 1);
        net.Forward(new float[LeNet5.InputLength], new float[LeNet5.OutputLength]);
        Assert.Throws<InvalidOperationException>(() => net.BackwardBatch(new float[LeNet5.OutputLength], default, 1));
    }

    [Fact]
    public void LeNet5_Summary_has_a_row_per_layer_and_the_total()
    {
        (string Name, string Kind, string Parameters)[] layers =
        [
            ("conv1", "Conv2D", "156"), ("relu1", "Relu", "0"), ("pool1", "MaxPool2D", "0"),
            ("conv2", "Conv2D", "2,416"), ("relu2", "Relu", "0"), ("pool2", "MaxPool2D", "0"),
            ("flatten1", "Flatten", "0"),
            ("dense1", "Dense", "48,120"), ("relu3", "Relu", "0"),
            ("dense2", "Dense", "10,164"), ("relu4", "Relu", "0"),
            ("dense3", "Dense", "850"),
        ];
        string[] rows = LeNet5.Summary.Split('\n');
        foreach ((string name, string kind, string parameters) in layers)
        {
            string? row = rows.SingleOrDefault(line => line.StartsWith(name + " ", StringComparison.Ordinal));
            Assert.True(row is not null, $"no Summary row for {name}:\n{LeNet5.Summary}");
            Assert.Contains(kind, row, StringComparison.Ordinal);
            Assert.EndsWith(" " + parameters, row.TrimEnd(), StringComparison.Ordinal);
        }

        Assert.Contains("Total parameters: 61,706", LeNet5.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_layer_names_appear_in_Summary_and_weight_names()
    {
        foreach (string layer in (string[])["features", "rectify", "vector", "classifier"])
        {
            Assert.Contains(layer, NamedLayers.Summary, StringComparison.Ordinal);
        }

        Assert.Equal(
            ["features.weight", "features.bias", "classifier.weight", "classifier.bias"],
            NamedLayers.ParameterTensors.Select(tensor => tensor.Name).ToArray());
    }
}
