using CnnGen;

namespace ResNetSample;

/// <summary>
/// ResNet-20 for 28×28 grey images: <see cref="ResNet8"/> with three basic blocks per stage instead of one
/// (He et al.'s CIFAR ResNet-20, option B shortcuts), 272,186 trainable parameters and 21 BatchNorm layers;
/// about three times ResNet-8's compute per image.
/// </summary>
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
public partial class ResNet20;
