using CnnGen.Runtime.Data;

namespace CnnGen.Runtime.Tests.Data;

public sealed class DatasetTests : IDisposable
{
    private const string FashionMnist = "/usr/share/datasets/fashion-mnist";

    private readonly IdxFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static Dataset Numbered(int count, SampleShape shape)
    {
        // Sample n holds n·100 + element index; label n % 4.
        var images = new float[count * shape.Length];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = i / shape.Length * 100 + i % shape.Length;
        }

        return new Dataset(images, Enumerable.Range(0, count).Select(n => n % 4).ToArray(), shape);
    }

    [Fact]
    public void LoadIdx_scales_bytes_to_the_unit_interval_and_keeps_the_labels()
    {
        string images = _files.Write("images.gz", IdxFiles.Gzip(IdxFiles.Images(2, 2, 3, i => (byte)(i * 20))));
        string labels = _files.Write("labels", IdxFiles.Labels(7, 4));

        Dataset dataset = Dataset.LoadIdx(images, labels);

        Assert.Equal(2, dataset.Count);
        Assert.Equal(new SampleShape(1, 2, 3), dataset.Shape);
        Assert.Equal(6, dataset.SampleLength);
        Assert.Equal(8, dataset.ClassCount);
        Assert.Equal([7, 4], dataset.Labels.ToArray());
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i * 20 / 255f), dataset.Images.ToArray());
        Assert.Equal([120 / 255f, 140 / 255f, 160 / 255f, 180 / 255f, 200 / 255f, 220 / 255f], dataset.Image(1).ToArray());
    }

    [Fact]
    public void LoadIdx_applies_mean_and_standard_deviation_after_scaling()
    {
        string images = _files.Write("images", IdxFiles.Images(1, 1, 3, i => (byte)(i * 51))); // 0, 51, 102 → 0, 0.2, 0.4
        string labels = _files.Write("labels", IdxFiles.Labels(0));

        Dataset dataset = Dataset.LoadIdx(images, labels, mean: 0.2f, standardDeviation: 0.5f);

        Assert.Equal([(0f - 0.2f) / 0.5f, (0.2f - 0.2f) / 0.5f, (0.4f - 0.2f) / 0.5f], dataset.Images.ToArray());
    }

    [Fact]
    public void LoadIdx_refuses_files_of_different_counts_naming_both()
    {
        string images = _files.Write("images", IdxFiles.Images(3, 2, 2, i => 0));
        string labels = _files.Write("labels", IdxFiles.Labels(1, 2));

        var exception = Assert.Throws<InvalidDataException>(() => Dataset.LoadIdx(images, labels));

        Assert.Contains(images, exception.Message);
        Assert.Contains(labels, exception.Message);
        Assert.Contains("3 images but 2 labels", exception.Message);
    }

    [Fact]
    public void Take_Slice_and_Subset_copy_the_chosen_samples()
    {
        Dataset dataset = Numbered(5, new SampleShape(1, 1, 2));

        Dataset first = dataset.Take(2);
        Dataset middle = dataset.Slice(1, 3);
        Dataset picked = dataset.Subset([4, 0, 4]);

        Assert.Equal([0f, 1f, 100f, 101f], first.Images.ToArray());
        Assert.Equal([0, 1], first.Labels.ToArray());
        Assert.Equal([100f, 101f, 200f, 201f, 300f, 301f], middle.Images.ToArray());
        Assert.Equal([1, 2, 3], middle.Labels.ToArray());
        Assert.Equal([400f, 401f, 0f, 1f, 400f, 401f], picked.Images.ToArray());
        Assert.Equal([0, 0, 0], picked.Labels.ToArray());
        Assert.Equal(5, dataset.Take(50).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.Slice(3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.Subset([5]));
    }

    [Fact]
    public void Statistics_and_normalisation_match_the_naive_formulas()
    {
        var random = new RandomSource(2);
        var images = new float[10_000];
        random.FillUniform(images, 0f, 1f);
        var dataset = new Dataset(images.ToArray(), new int[100], new SampleShape(1, 10, 10));
        double mean = images.Average(x => (double)x);
        double std = Math.Sqrt(images.Average(x => (x - mean) * (x - mean)));

        var (computedMean, computedStd) = dataset.ComputeMeanAndStandardDeviation();
        dataset.Normalize(computedMean, computedStd);
        var (normalisedMean, normalisedStd) = dataset.ComputeMeanAndStandardDeviation();

        Assert.Equal(mean, computedMean, 1e-6);
        Assert.Equal(std, computedStd, 1e-6);
        Assert.Equal(0, normalisedMean, 1e-5);
        Assert.Equal(1, normalisedStd, 1e-5);
        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.Normalize(0f, 0f));
    }

    [Fact]
    public void The_constructor_checks_the_lengths_and_labels()
    {
        var lengths = Assert.Throws<ArgumentException>(() => new Dataset(new float[10], [0, 1], new SampleShape(1, 2, 3)));
        Assert.Contains("2 labels of shape (1,2,3) need 12 image floats, but there are 10", lengths.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[6], [-1], new SampleShape(1, 2, 3)));
    }

    [Fact]
    public void Fashion_MNIST_test_set_loads_when_installed()
    {
        string images = Path.Combine(FashionMnist, "t10k-images-idx3-ubyte.gz");
        string labels = Path.Combine(FashionMnist, "t10k-labels-idx1-ubyte.gz");
        if (!File.Exists(images) || !File.Exists(labels))
        {
            return; // The data set is not part of the repository; this check runs where it is installed.
        }

        Dataset dataset = Dataset.LoadIdx(images, labels);

        Assert.Equal(10_000, dataset.Count);
        Assert.Equal(new SampleShape(1, 28, 28), dataset.Shape);
        Assert.Equal(10, dataset.ClassCount);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, dataset.Labels.ToArray().Count(l => l == c)));
        var (mean, std) = dataset.ComputeMeanAndStandardDeviation();
        Assert.InRange(mean, 0.28f, 0.29f);
        Assert.InRange(std, 0.35f, 0.36f);
    }
}
