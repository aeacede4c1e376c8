using System.Numerics.Tensors;
using CnnGen.Runtime.Data;

namespace EmbeddedInference.Harness;

/// <summary>
/// Fashion-MNIST images as the network expects them: 28×28 grey levels scaled to [0, 1] and normalised
/// with the training set's statistics, plus the labels when there are any.
/// </summary>
/// <param name="Pixels">Count × 784 floats, image after image.</param>
/// <param name="Labels">One label per image, or <see langword="null"/> for images without labels.</param>
/// <param name="Count">The number of images.</param>
/// <param name="Source">The image file, for the report.</param>
internal sealed record FashionMnistImages(float[] Pixels, byte[]? Labels, int Count, string Source)
{
    /// <summary>Pixels per image.</summary>
    public const int ImageLength = 28 * 28;

    /// <summary>
    /// The mean and standard deviation of the pixels of the 60,000 Fashion-MNIST training images (after
    /// scaling to [0, 1]): every image is normalised as <c>(x − Mean) / StandardDeviation</c>, as in
    /// training (<c>EmbeddedInference.Trainer</c> checks these against the data).
    /// </summary>
    public const float Mean = 0.2860f, StandardDeviation = 0.3530f;

    /// <summary>The ten classes, by label.</summary>
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The committed 2,000-image test subset, which the build copies next to the executable.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>The test set (<c>t10k-*</c>) of a Fashion-MNIST directory, each file plain or <c>.gz</c>.</summary>
    public static FashionMnistImages LoadTestSet(string directory) =>
        Load(Find(directory, "t10k-images-idx3-ubyte"), Find(directory, "t10k-labels-idx1-ubyte"));

    /// <summary>An IDX image file (plain or gzip) of 28×28 images and, optionally, its label file.</summary>
    /// <exception cref="InvalidDataException">A file is malformed, the images are not 28×28, or the counts differ.</exception>
    public static FashionMnistImages Load(string imagesPath, string? labelsPath)
    {
        IdxImages images = IdxReader.ReadImages(imagesPath);
        if (images.Rows != 28 || images.Columns != 28)
        {
            throw new InvalidDataException($"'{imagesPath}' holds {images.Rows}×{images.Columns} images; the network takes 28×28.");
        }

        byte[]? labels = labelsPath is null ? null : IdxReader.ReadLabels(labelsPath);
        if (labels is not null && labels.Length != images.Count)
        {
            throw new InvalidDataException($"'{imagesPath}' holds {images.Count} images but '{labelsPath}' {labels.Length} labels.");
        }

        // The same operations, in the same order, as Dataset.LoadIdx(images, labels, Mean, StandardDeviation) in training.
        var pixels = new float[images.Pixels.Length];
        TensorPrimitives.ConvertTruncating<byte, float>(images.Pixels, pixels);
        TensorPrimitives.Divide(pixels, 255f, pixels);
        TensorPrimitives.Subtract(pixels, Mean, pixels);
        TensorPrimitives.Divide(pixels, StandardDeviation, pixels);
        return new FashionMnistImages(pixels, labels, images.Count, Path.GetFullPath(imagesPath));
    }

    /// <summary>Image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(index * ImageLength, ImageLength);

    private static string Find(string directory, string name)
    {
        string compressed = Path.Combine(directory, name + ".gz");
        string plain = Path.Combine(directory, name);
        return File.Exists(compressed) ? compressed
            : File.Exists(plain) ? plain
            : throw new FileNotFoundException($"Neither '{compressed}' nor '{plain}' exists.", compressed);
    }
}
