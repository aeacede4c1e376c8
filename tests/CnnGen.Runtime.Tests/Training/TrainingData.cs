using CnnGen.Runtime.Data;

namespace CnnGen.Runtime.Tests.Training;

/// <summary>Small datasets for trainer tests.</summary>
internal static class TrainingData
{
    /// <summary>The shape of a <see cref="Blobs"/> sample: 6 features.</summary>
    public static readonly SampleShape BlobShape = new(1, 2, 3);

    /// <summary>
    /// Three linearly separable classes of 6 features (shape 1×2×3): class c is 2 on features 2c and
    /// 2c + 1 and 0 elsewhere, plus Gaussian noise of σ 0.3. Samples cycle through the classes.
    /// </summary>
    public static Dataset Blobs(int count, ulong seed)
    {
        var random = new RandomSource(seed);
        var images = new float[count * BlobShape.Length];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            labels[n] = n % 3;
            for (int f = 0; f < BlobShape.Length; f++)
            {
                images[n * BlobShape.Length + f] = (f / 2 == labels[n] ? 2f : 0f) + 0.3f * random.NextGaussian();
            }
        }

        return new Dataset(images, labels, BlobShape);
    }
}
