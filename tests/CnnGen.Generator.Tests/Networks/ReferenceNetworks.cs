namespace CnnGen.Generator.Tests.Networks;

/// <summary>Sources of the reference architectures used by several generator tests.</summary>
internal static class ReferenceNetworks
{
    /// <summary>The seed's 2-conv Fashion-MNIST network, exactly as the README shows it.</summary>
    public const string FashionNet = """
        using CnnGen;

        namespace Samples;

        [Network]
        [Input(1, 28, 28)]
        [Conv2D(32, 5, Padding = 2), Relu, MaxPool2D(2)]
        [Conv2D(64, 5, Padding = 2), Relu, MaxPool2D(2)]
        [Flatten, Dropout(0.5)]
        [Dense(1000), Dense(10)]
        public partial class FashionNet;
        """;

    /// <summary>LeNet-5 (LeCun et al. 1998) with ReLU and max pooling, as most modern reproductions.</summary>
    public const string LeNet5 = """
        using CnnGen;

        namespace Samples;

        [Network]
        [Input(1, 32, 32)]
        [Conv2D(6, 5), Relu, MaxPool2D(2)]
        [Conv2D(16, 5), Relu, MaxPool2D(2)]
        [Flatten]
        [Dense(120), Relu, Dense(84), Relu, Dense(10)]
        public partial class LeNet5;
        """;
}
