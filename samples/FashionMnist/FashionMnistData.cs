using CnnGen.Runtime.Data;

namespace FashionMnist;

/// <summary>The training and test sets, normalised with the training set's statistics.</summary>
internal sealed record FashionMnistData(Dataset Train, Dataset Test, float Mean, float StandardDeviation)
{
    /// <summary>The ten classes, by label.</summary>
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads <c>train-*</c> and <c>t10k-*</c> from <paramref name="directory"/> (each file plain or
    /// <c>.gz</c>) and applies <c>(x − mean) / std</c> to both with the training set's mean and std.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message says where it was looked for.</exception>
    public static FashionMnistData Load(string directory)
    {
        Dataset train = Dataset.LoadIdx(Find(directory, "train-images-idx3-ubyte"), Find(directory, "train-labels-idx1-ubyte"));
        Dataset test = Dataset.LoadIdx(Find(directory, "t10k-images-idx3-ubyte"), Find(directory, "t10k-labels-idx1-ubyte"));
        (float mean, float standardDeviation) = train.ComputeMeanAndStandardDeviation();
        train.Normalize(mean, standardDeviation);
        test.Normalize(mean, standardDeviation);
        return new FashionMnistData(train, test, mean, standardDeviation);
    }

    /// <summary>How many samples of each class <paramref name="dataset"/> holds.</summary>
    public static int[] CountPerClass(Dataset dataset)
    {
        var counts = new int[ClassNames.Length];
        foreach (int label in dataset.Labels)
        {
            counts[label]++;
        }

        return counts;
    }

    private static string Find(string directory, string name)
    {
        string compressed = Path.Combine(directory, name + ".gz");
        string plain = Path.Combine(directory, name);
        return File.Exists(compressed) ? compressed
            : File.Exists(plain) ? plain
            : throw new FileNotFoundException($"Neither '{compressed}' nor '{plain}' exists; --data must name a directory of Fashion-MNIST IDX files.", compressed);
    }
}
