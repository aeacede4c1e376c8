using CnnGen;

namespace ResNetSample;

/// <summary>
/// ResNet-8 for 28×28 grey images: He et al.'s CIFAR ResNet (3 stages of 16, 32 and 64 filters, one
/// basic block each) with option B shortcuts — a 1×1 stride-2 convolution and BatchNorm where the shape
/// changes — exactly issue 15's contract: 77,754 trainable parameters and 9 BatchNorm layers whose running
/// statistics are the network's <c>State</c>. A layer's <c>Name</c> names its output tensor; <c>From</c>
/// starts a branch from a named tensor and <c>Add</c> sums the current tensor with a named one.
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
public partial class ResNet8;
