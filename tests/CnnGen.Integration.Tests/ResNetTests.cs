using CnnGen.Tests.Networks;

namespace CnnGen.Integration.Tests;

[Network]
[Input(3, 32, 32)]
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
internal partial class ResNet8Rgb;

/// <summary>ResNet-20 (tests/Shared) on 3×32×32 images, CIFAR-10's shape.</summary>
[Network]
[Input(3, 32, 32)]
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
internal partial class ResNet20Rgb;

/// <summary>The ResNets of issue 15 have exactly the parameters (and state) the architecture gives.</summary>
public sealed class ResNetTests
{
    [Fact]
    public void ResNet8_and_ResNet20_have_the_parameter_counts_of_the_architecture()
    {
        Assert.Equal(77_754, ResNet8.ParameterCount);
        Assert.Equal(272_186, ResNet20.ParameterCount);
        Assert.Equal(78_042, ResNet8Rgb.ParameterCount); // the stem sees 3 channels: 288 more weights
        Assert.Equal(272_474, ResNet20Rgb.ParameterCount); // the same 288 more; the size of the image changes no weight
    }

    [Fact]
    public void ResNet8_state_is_two_running_statistics_per_batch_norm_channel()
    {
        var net = new ResNet8();
        int channels = (3 * 16) + (3 * 32) + (3 * 64); // 9 BatchNorm layers
        Assert.True(ResNet8.StateCount == 2 * channels, $"StateCount {ResNet8.StateCount}, expected {2 * channels}");
        Assert.Equal(9, ResNet8.BatchesTrackedNames.Count);
        Assert.Equal("bn1.running_mean", ResNet8.StateTensors[0].Name);
        Assert.Equal("shortcut2.running_var", ResNet8.StateTensors[7].Name);
        Assert.Equal(ResNet8.StateCount, net.State.Length);
    }
}
