// The reference architectures, declared once and compiled into every test project that needs them
// (linked by the projects; the generator tests read this file as source text).
using CnnGen;

namespace CnnGen.Tests.Networks;

/// <summary>LeNet-5 (LeCun et al. 1998) with ReLU and max pooling, as most modern reproductions.</summary>
[Network]
[Input(1, 32, 32)]
[Conv2D(6, 5), Relu, MaxPool2D(2)]
[Conv2D(16, 5), Relu, MaxPool2D(2)]
[Flatten]
[Dense(120), Relu, Dense(84), Relu, Dense(10)]
internal sealed partial class LeNet5;

/// <summary>The seed's 2-conv Fashion-MNIST network, exactly as the README declares it.</summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(32, 5, Padding = 2), Relu, MaxPool2D(2)]
[Conv2D(64, 5, Padding = 2), Relu, MaxPool2D(2)]
[Flatten, Dropout(0.5)]
[Dense(1000), Dense(10)]
internal sealed partial class FashionNet;

/// <summary>
/// ResNet-8 for 28 × 28 grey images (He et al. 2016, the CIFAR variant with option B shortcuts: a 1×1
/// convolution and BatchNorm where the shape changes), exactly as issue 15 declares it: 77,754 parameters.
/// </summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D, Relu(Name = "stem")]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D, Add("stem"), Relu(Name = "block1")]
[From("block1"), Conv2D(32, 1, Stride = 2, Bias = false), BatchNorm2D(Name = "shortcut2")]
[From("block1"), Conv2D(32, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(32, 3, Padding = 1, Bias = false), BatchNorm2D, Add("shortcut2"), Relu(Name = "block2")]
[From("block2"), Conv2D(64, 1, Stride = 2, Bias = false), BatchNorm2D(Name = "shortcut3")]
[From("block2"), Conv2D(64, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(64, 3, Padding = 1, Bias = false), BatchNorm2D, Add("shortcut3"), Relu]
[GlobalAvgPool2D, Flatten, Dense(10)]
internal sealed partial class ResNet8;

/// <summary>ResNet-20 (three blocks per stage, option B shortcuts) for 28 × 28 grey images: 272,186 parameters.</summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D, Relu(Name = "stem")]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D, Add("stem"), Relu(Name = "s1b1")]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D, Add("s1b1"), Relu(Name = "s1b2")]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm2D, Add("s1b2"), Relu(Name = "s1b3")]
[From("s1b3"), Conv2D(32, 1, Stride = 2, Bias = false), BatchNorm2D(Name = "s2shortcut")]
[From("s1b3"), Conv2D(32, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(32, 3, Padding = 1, Bias = false), BatchNorm2D, Add("s2shortcut"), Relu(Name = "s2b1")]
[Conv2D(32, 3, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(32, 3, Padding = 1, Bias = false), BatchNorm2D, Add("s2b1"), Relu(Name = "s2b2")]
[Conv2D(32, 3, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(32, 3, Padding = 1, Bias = false), BatchNorm2D, Add("s2b2"), Relu(Name = "s2b3")]
[From("s2b3"), Conv2D(64, 1, Stride = 2, Bias = false), BatchNorm2D(Name = "s3shortcut")]
[From("s2b3"), Conv2D(64, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(64, 3, Padding = 1, Bias = false), BatchNorm2D, Add("s3shortcut"), Relu(Name = "s3b1")]
[Conv2D(64, 3, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(64, 3, Padding = 1, Bias = false), BatchNorm2D, Add("s3b1"), Relu(Name = "s3b2")]
[Conv2D(64, 3, Padding = 1, Bias = false), BatchNorm2D, Relu]
[Conv2D(64, 3, Padding = 1, Bias = false), BatchNorm2D, Add("s3b2"), Relu]
[GlobalAvgPool2D, Flatten, Dense(10)]
internal sealed partial class ResNet20;
