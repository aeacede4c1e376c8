using CnnGen.Benchmarks;
using CnnGen.Runtime;
using EmbeddedInference;

namespace EmbeddedInference.Trainer;

/// <summary>The ONNX graph of <see cref="FashionLeNet"/> with its current parameters, for ONNX Runtime.</summary>
internal static class LeNetOnnx
{
    public const string InputName = "input", OutputName = "logits";

    /// <summary>
    /// Conv / Relu / MaxPool / Flatten / Gemm nodes (opset 17) for one image, [1, 1, 28, 28] → [1, 10];
    /// initializers named as the network's tensors (<c>conv1.weight</c>, ...). CnnGen's layouts are
    /// PyTorch's, which are ONNX's: Conv W [M, C, kH, kW]; Gemm with <c>transB = 1</c> takes B as [out, in].
    /// </summary>
    public static byte[] Build(FashionLeNet network)
    {
        var writer = new OnnxWriter();
        foreach (ParameterTensor tensor in FashionLeNet.ParameterTensors)
        {
            writer.AddInitializer(tensor.Name, network.Parameters.Slice(tensor.Offset, tensor.Length), [.. tensor.Shape.Select(size => (long)size)]);
        }

        writer.AddInput(InputName, 1, 1, 28, 28);
        writer.AddNode("Conv", [InputName, "conv1.weight", "conv1.bias"], "conv1", Convolution(5, padding: 2));
        writer.AddNode("Relu", ["conv1"], "relu1");
        writer.AddNode("MaxPool", ["relu1"], "pool1", Pooling(2));
        writer.AddNode("Conv", ["pool1", "conv2.weight", "conv2.bias"], "conv2", Convolution(5, padding: 0));
        writer.AddNode("Relu", ["conv2"], "relu2");
        writer.AddNode("MaxPool", ["relu2"], "pool2", Pooling(2));
        writer.AddNode("Flatten", ["pool2"], "flatten", OnnxAttribute.Int("axis", 1));
        writer.AddNode("Gemm", ["flatten", "dense1.weight", "dense1.bias"], "dense1", OnnxAttribute.Int("transB", 1));
        writer.AddNode("Relu", ["dense1"], "relu3");
        writer.AddNode("Gemm", ["relu3", "dense2.weight", "dense2.bias"], "dense2", OnnxAttribute.Int("transB", 1));
        writer.AddNode("Relu", ["dense2"], "relu4");
        writer.AddNode("Gemm", ["relu4", "dense3.weight", "dense3.bias"], OutputName, OnnxAttribute.Int("transB", 1));
        writer.AddOutput(OutputName, 1, 10);
        return writer.ToModel(nameof(FashionLeNet));
    }

    private static OnnxAttribute[] Convolution(int kernel, int padding) =>
    [
        OnnxAttribute.Ints("kernel_shape", kernel, kernel),
        OnnxAttribute.Ints("pads", padding, padding, padding, padding),
        OnnxAttribute.Ints("strides", 1, 1),
    ];

    private static OnnxAttribute[] Pooling(int size) =>
        [OnnxAttribute.Ints("kernel_shape", size, size), OnnxAttribute.Ints("strides", size, size)];
}
