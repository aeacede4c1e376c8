using CnnGen.Runtime;
using CnnGen.Runtime.Data;

namespace CnnGen.Checkpoint.Tests;

/// <summary>
/// A small convolutional network with BatchNorm and dropout, so that a resumed run must restore the running
/// statistics, num_batches_tracked and the dropout stream too.
/// </summary>
[Network]
[Input(1, 12, 12)]
[Conv2D(8, 3, Padding = 1, Bias = false), BatchNorm2D, Relu, MaxPool2D(2)]
[Flatten, Dropout(0.25)]
[Dense(16), Relu, Dense(4)]
internal partial class CheckpointNet;

/// <summary>Four classes of 12×12 images: a bright quadrant (the class) on Gaussian noise.</summary>
internal static class QuadrantData
{
    public static readonly SampleShape Shape = new(1, 12, 12);

    public static Dataset Create(int count, ulong seed)
    {
        var random = new RandomSource(seed);
        var images = new float[count * Shape.Length];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            labels[n] = n % 4;
            for (int y = 0; y < 12; y++)
            {
                for (int x = 0; x < 12; x++)
                {
                    bool bright = (y / 6 * 2) + (x / 6) == labels[n];
                    images[(n * Shape.Length) + (y * 12) + x] = (bright ? 1f : 0f) + (0.5f * random.NextGaussian());
                }
            }
        }

        return new Dataset(images, labels, Shape);
    }
}
