using System.Numerics.Tensors;

namespace CnnGen.Runtime.Data;

/// <summary>
/// Labelled samples in memory: <see cref="Count"/> images of <see cref="Shape"/> stored one after
/// another as floats (N, C·H·W), and one integer class label per image.
/// </summary>
/// <remarks>
/// Images are contiguous so that a run of samples is already a batch for
/// <see cref="INetwork.ForwardBatch"/>. <see cref="Take"/>, <see cref="Slice"/> and
/// <see cref="Subset"/> copy; <see cref="Normalize"/> changes this dataset in place.
/// </remarks>
public sealed class Dataset
{
    // Mean and standard deviation are accumulated in double over chunks of this many floats.
    private const int StatisticsChunkLength = 4096;

    private readonly float[] _images;
    private readonly int[] _labels;

    /// <summary>
    /// A dataset over <paramref name="images"/> (N·<paramref name="shape"/>.Length floats) and
    /// <paramref name="labels"/> (N non-negative class indices). The arrays are used, not copied.
    /// </summary>
    public Dataset(float[] images, int[] labels, SampleShape shape)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (shape.Length == 0)
        {
            throw new ArgumentException("The sample shape is empty (default SampleShape).", nameof(shape));
        }

        if ((long)labels.Length * shape.Length != images.Length)
        {
            throw new ArgumentException(
                $"{labels.Length} labels of shape {shape} need {(long)labels.Length * shape.Length} image floats, but there are {images.Length}.",
                nameof(images));
        }

        int classCount = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label {i} is negative.");
            }

            classCount = Math.Max(classCount, labels[i] + 1);
        }

        _images = images;
        _labels = labels;
        Shape = shape;
        ClassCount = classCount;
    }

    /// <summary>The (C, H, W) shape of every sample.</summary>
    public SampleShape Shape { get; }

    /// <summary>Floats per sample: C·H·W.</summary>
    public int SampleLength => Shape.Length;

    /// <summary>Number of samples.</summary>
    public int Count => _labels.Length;

    /// <summary>One more than the largest label (0 for an empty dataset).</summary>
    public int ClassCount { get; }

    /// <summary>All images, (N, C·H·W).</summary>
    public ReadOnlySpan<float> Images => _images;

    /// <summary>All labels, (N).</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The C·H·W floats of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) => _images.AsSpan(checked(index * SampleLength), SampleLength);

    /// <summary>
    /// Loads an IDX image file and its label file (plain or gzip), scales pixels to [0, 1] as
    /// torchvision's <c>ToTensor</c> (<c>byte / 255</c>), then applies <c>(x − mean) / std</c>
    /// (the defaults leave [0, 1]).
    /// </summary>
    /// <exception cref="InvalidDataException">A file is malformed, or the two files hold different counts.</exception>
    public static Dataset LoadIdx(string imagesPath, string labelsPath, float mean = 0f, float standardDeviation = 1f)
    {
        IdxImages images = IdxReader.ReadImages(imagesPath);
        byte[] labelBytes = IdxReader.ReadLabels(labelsPath);
        if (labelBytes.Length != images.Count)
        {
            throw new InvalidDataException(
                $"IDX files '{imagesPath}' and '{labelsPath}' do not match: {images.Count} images but {labelBytes.Length} labels.");
        }

        var pixels = new float[images.Pixels.Length];
        TensorPrimitives.ConvertTruncating<byte, float>(images.Pixels, pixels);
        TensorPrimitives.Divide(pixels, 255f, pixels);
        var labels = new int[labelBytes.Length];
        TensorPrimitives.ConvertTruncating<byte, int>(labelBytes, labels);

        var dataset = new Dataset(pixels, labels, new SampleShape(1, images.Rows, images.Columns));
        if (mean != 0f || standardDeviation != 1f)
        {
            dataset.Normalize(mean, standardDeviation);
        }

        return dataset;
    }

    /// <summary>
    /// Applies <c>x = (x − mean) / standardDeviation</c> to every pixel in place, as torchvision's
    /// <c>Normalize</c>. Use the training set's statistics for the test set too.
    /// </summary>
    public void Normalize(float mean, float standardDeviation)
    {
        if (!float.IsFinite(mean))
        {
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "The mean must be finite.");
        }

        if (!(standardDeviation > 0f) || !float.IsFinite(standardDeviation))
        {
            throw new ArgumentOutOfRangeException(nameof(standardDeviation), standardDeviation, "The standard deviation must be positive and finite.");
        }

        TensorPrimitives.Subtract(_images, mean, _images);
        TensorPrimitives.Divide(_images, standardDeviation, _images);
    }

    /// <summary>The mean and (population) standard deviation of every pixel of every image.</summary>
    public (float Mean, float StandardDeviation) ComputeMeanAndStandardDeviation()
    {
        if (_images.Length == 0)
        {
            throw new InvalidOperationException("The dataset is empty.");
        }

        // Float sums per chunk keep TensorPrimitives' vector speed; double totals keep 60 000 × 784 pixels accurate.
        double sum = 0, sumOfSquares = 0;
        ReadOnlySpan<float> images = _images;
        for (int start = 0; start < images.Length; start += StatisticsChunkLength)
        {
            ReadOnlySpan<float> chunk = images.Slice(start, Math.Min(StatisticsChunkLength, images.Length - start));
            sum += TensorPrimitives.Sum(chunk);
            sumOfSquares += TensorPrimitives.SumOfSquares(chunk);
        }

        double mean = sum / images.Length;
        double variance = Math.Max(0, sumOfSquares / images.Length - mean * mean);
        return ((float)mean, (float)Math.Sqrt(variance));
    }

    /// <summary>A copy of the first <paramref name="count"/> samples (all of them if there are fewer).</summary>
    public Dataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Slice(0, Math.Min(count, Count));
    }

    /// <summary>A copy of samples <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1.</summary>
    public Dataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start > Count - count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(count), $"Samples {start} to {start + count - 1} are outside the {Count} samples of the dataset.");
        }

        return new Dataset(
            _images.AsSpan(start * SampleLength, count * SampleLength).ToArray(),
            _labels.AsSpan(start, count).ToArray(),
            Shape);
    }

    /// <summary>A copy of the samples at <paramref name="indices"/>, in that order (repeats allowed).</summary>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        var images = new float[CheckedSize.Floats(indices.Length, SampleLength, "samples", "SampleLength", nameof(indices))];
        var labels = new int[indices.Length];
        CopyBatch(indices, images, labels);
        return new Dataset(images, labels, Shape);
    }

    /// <summary>
    /// Gathers the samples at <paramref name="indices"/> into <paramref name="images"/>
    /// (indices.Length · C·H·W floats) and <paramref name="labels"/> (indices.Length): one shuffled mini-batch.
    /// </summary>
    public void CopyBatch(ReadOnlySpan<int> indices, Span<float> images, Span<int> labels)
    {
        int sampleLength = SampleLength;
        if (images.Length != indices.Length * sampleLength || labels.Length != indices.Length)
        {
            throw new ArgumentException(
                $"{indices.Length} samples need {indices.Length * sampleLength} image floats and {indices.Length} labels, " +
                $"but the buffers hold {images.Length} and {labels.Length}.");
        }

        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"Sample index {index} is outside [0, {Count}).");
            }

            _images.AsSpan(index * sampleLength, sampleLength).CopyTo(images.Slice(i * sampleLength, sampleLength));
            labels[i] = _labels[index];
        }
    }
}
