using CnnGen.Runtime.Tests.Training;
using CnnGen.Runtime.Weights;

namespace CnnGen.Runtime.Tests.Weights;

public sealed class SafeTensorsNameMapTests
{
    [Fact]
    public void Sequential_indices_order_numerically_and_weights_come_before_biases()
    {
        // save_file's order: names sorted as strings.
        string[] fileOrder = ["0.bias", "0.weight", "10.bias", "10.weight", "3.bias", "3.weight"];

        Assert.Equal(
            ["0.weight", "0.bias", "3.weight", "3.bias", "10.weight", "10.bias"],
            SafeTensorsNameMap.SortBySequentialIndex(fileOrder));
    }

    [Fact]
    public void Nested_sequentials_order_by_every_index_and_a_modules_own_parameters_come_first()
    {
        string[] names = ["net.features.10.weight", "net.features.1.0.bias", "net.features.1.weight", "net.features.1.0.weight", "net.features.2.weight", "net.features.0.weight"];

        Assert.Equal(
            ["net.features.0.weight", "net.features.1.weight", "net.features.1.0.weight", "net.features.1.0.bias", "net.features.2.weight", "net.features.10.weight"],
            SafeTensorsNameMap.SortBySequentialIndex(names));
    }

    [Fact]
    public void Modules_named_other_than_by_index_cannot_be_ordered_by_position()
    {
        var exception = Assert.Throws<ArgumentException>(() => SafeTensorsNameMap.SortBySequentialIndex(["features.0.weight", "classifier.0.weight"]));

        Assert.StartsWith(
            "Cannot order 'classifier.0.weight' and 'features.0.weight' by position: their module paths differ at 'classifier' and 'features', which are not both nn.Sequential indices, and a safetensors file does not record the order of parameters(). " +
            "Pass the names in parameters() order to ByPosition (in Python: [name for name, _ in model.named_parameters()]).",
            exception.Message);
    }

    [Fact]
    public void Parameters_other_than_weight_and_bias_cannot_be_ordered_by_position()
    {
        var exception = Assert.Throws<ArgumentException>(() => SafeTensorsNameMap.SortBySequentialIndex(["0.weight", "1.running_mean"]));

        Assert.StartsWith("'1.running_mean' is neither a weight nor a bias, so its place in parameters() order is unknown; pass the names in order to ByPosition.", exception.Message);
    }

    [Fact]
    public void By_position_pairs_the_ith_network_tensor_with_the_ith_name()
    {
        var network = new TensorTableNetwork(("conv1.weight", [2, 1, 3, 3]), ("conv1.bias", [2]), ("dense2.weight", [3, 8]), ("dense2.bias", [3]));

        IReadOnlyDictionary<string, string> map = SafeTensorsNameMap.BySequentialIndex(network, ["4.bias", "0.weight", "4.weight", "0.bias"]);

        Assert.Equal(
            new Dictionary<string, string> { ["conv1.weight"] = "0.weight", ["conv1.bias"] = "0.bias", ["dense2.weight"] = "4.weight", ["dense2.bias"] = "4.bias" },
            map);
    }

    [Fact]
    public void By_position_needs_as_many_names_as_the_network_has_tensors()
    {
        var network = new LinearSoftmaxNetwork(3, 2, seed: 1);

        var exception = Assert.Throws<ArgumentException>(() => SafeTensorsNameMap.ByPosition(network, ["0.weight", "0.bias", "2.weight"]));

        Assert.StartsWith("LinearSoftmaxNetwork has 2 parameter tensors (linear.weight, linear.bias) but 3 names were given (0.weight, 0.bias, 2.weight).", exception.Message);
    }

    [Fact]
    public void Names_must_be_unique_and_not_empty()
    {
        var network = new LinearSoftmaxNetwork(3, 2, seed: 1);

        Assert.StartsWith("The tensor name '0.weight' occurs twice.", Assert.Throws<ArgumentException>(() => SafeTensorsNameMap.ByPosition(network, ["0.weight", "0.weight"])).Message);
        Assert.StartsWith("A tensor name is null or empty.", Assert.Throws<ArgumentException>(() => SafeTensorsNameMap.SortBySequentialIndex(["0.weight", ""])).Message);
    }
}
