using System.Globalization;
using CnnGen.Runtime;
using CnnGen.Runtime.Data;
using CnnGen.Runtime.Training;
using CnnGen.Runtime.Weights;
using EmbeddedInference;
using EmbeddedInference.Harness;
using EmbeddedInference.Trainer;

// Trains FashionLeNet on Fashion-MNIST and writes the two files the inference samples ship:
//   samples/EmbeddedInference/fashion-lenet.safetensors   (compiled into EmbeddedInference)
//   samples/EmbeddedInference.Onnx/fashion-lenet.onnx     (loaded by the ONNX Runtime version)
// `--onnx-only` skips training and re-exports the ONNX model from the committed safetensors file.
var settings = new Dictionary<string, string>
{
    ["--data"] = "/usr/share/datasets/fashion-mnist",
    ["--epochs"] = "10",
    ["--batch-size"] = "64",
    ["--learning-rate"] = "0.001",
    ["--seed"] = "1",
    ["--threads"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
    ["--samples"] = FindSamplesDirectory(),
};
bool onnxOnly = false;
for (int index = 0; index < args.Length; index++)
{
    if (args[index] == "--onnx-only")
    {
        onnxOnly = true;
    }
    else if (settings.ContainsKey(args[index]) && index + 1 < args.Length)
    {
        settings[args[index]] = args[++index];
    }
    else
    {
        Console.Error.WriteLine($"Unknown or incomplete option '{args[index]}'. Options (with defaults):");
        foreach ((string option, string value) in settings)
        {
            Console.Error.WriteLine($"  {option} {value}");
        }

        Console.Error.WriteLine("  --onnx-only  (export the ONNX model of the existing weights, no training)");
        return 2;
    }
}

string weightsPath = Path.Combine(settings["--samples"], "EmbeddedInference", "fashion-lenet" + SafeTensors.Extension);
string onnxPath = Path.Combine(settings["--samples"], "EmbeddedInference.Onnx", "fashion-lenet.onnx");
Directory.CreateDirectory(Path.GetDirectoryName(weightsPath)!);
Directory.CreateDirectory(Path.GetDirectoryName(onnxPath)!);
var network = new FashionLeNet();
Console.WriteLine(FashionLeNet.Summary);
if (onnxOnly)
{
    SafeTensors.Load(network, weightsPath);
    WriteOnnx(network, onnxPath);
    return 0;
}

string data = settings["--data"];
int epochs = int.Parse(settings["--epochs"], CultureInfo.InvariantCulture);
int batchSize = int.Parse(settings["--batch-size"], CultureInfo.InvariantCulture);
float learningRate = float.Parse(settings["--learning-rate"], CultureInfo.InvariantCulture);
int seed = int.Parse(settings["--seed"], CultureInfo.InvariantCulture);
Parallelism.ThreadCount = int.Parse(settings["--threads"], CultureInfo.InvariantCulture);

Dataset train = Dataset.LoadIdx(Find(data, "train-images-idx3-ubyte"), Find(data, "train-labels-idx1-ubyte"));
Dataset test = Dataset.LoadIdx(Find(data, "t10k-images-idx3-ubyte"), Find(data, "t10k-labels-idx1-ubyte"));
(float mean, float standardDeviation) = train.ComputeMeanAndStandardDeviation();
Console.WriteLine(
    $"Data: {train.Count:N0} training and {test.Count:N0} test images from {Path.GetFullPath(data)}; "
    + $"pixel mean {mean:F4}, standard deviation {standardDeviation:F4}.");
if (Math.Abs(mean - FashionMnistImages.Mean) > 5e-4f || Math.Abs(standardDeviation - FashionMnistImages.StandardDeviation) > 5e-4f)
{
    Console.Error.WriteLine(
        $"The inference samples normalise with mean {FashionMnistImages.Mean} and standard deviation {FashionMnistImages.StandardDeviation}; "
        + "train on the full Fashion-MNIST training set or update FashionMnistImages.cs.");
    return 1;
}

// Exactly the normalisation the inference samples apply (constants, not this set's statistics).
train.Normalize(FashionMnistImages.Mean, FashionMnistImages.StandardDeviation);
test.Normalize(FashionMnistImages.Mean, FashionMnistImages.StandardDeviation);
Console.WriteLine(
    $"Training: {epochs} epochs, Adam, learning rate {learningRate:G3} (cosine-annealed), batch {batchSize}, seed {seed}, {Parallelism.ThreadCount} thread(s).");

network.ResetParameters(seed);
var trainer = new Trainer(new TrainerOptions
{
    Epochs = epochs,
    BatchSize = batchSize,
    Seed = seed,
    CreateOptimizer = parameterCount => new Adam(parameterCount, learningRate),
    Schedule = new CosineAnnealingSchedule(period: epochs),
});
IReadOnlyList<EpochResult> history = trainer.Fit(
    network,
    train,
    test,
    epochProgress: new EpochPrinter());

float fullAccuracy = trainer.Evaluate(network, test).Accuracy;
float subsetAccuracy = trainer.Evaluate(network, test.Take(2000)).Accuracy;
Console.WriteLine($"Test accuracy: {fullAccuracy:P2} on all {test.Count:N0} test images, {subsetAccuracy:P2} on the first 2,000 (samples/data).");

SafeTensors.Save(network, weightsPath, new Dictionary<string, string>
{
    ["format"] = "pt",
    ["network"] = nameof(FashionLeNet),
    ["trained"] = $"Fashion-MNIST, {train.Count} images, {epochs} epochs, Adam {learningRate.ToString(CultureInfo.InvariantCulture)}, batch {batchSize}, seed {seed}",
    ["test_accuracy"] = fullAccuracy.ToString("F4", CultureInfo.InvariantCulture),
});
Console.WriteLine($"Weights: {weightsPath} ({new FileInfo(weightsPath).Length:N0} bytes)");
WriteOnnx(network, onnxPath);
return 0;

static void WriteOnnx(FashionLeNet network, string path)
{
    File.WriteAllBytes(path, LeNetOnnx.Build(network));
    Console.WriteLine($"ONNX model: {path} ({new FileInfo(path).Length:N0} bytes)");
}

static string Find(string directory, string name)
{
    string compressed = Path.Combine(directory, name + ".gz");
    return File.Exists(compressed) ? compressed : Path.Combine(directory, name);
}

// samples/ of the repository this program was built in (bin/ is below samples/EmbeddedInference.Trainer).
static string FindSamplesDirectory()
{
    for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "CnnGen.sln")))
        {
            return Path.Combine(directory.FullName, "samples");
        }
    }

    return "samples";
}

/// <summary>Prints each epoch's result as it ends (synchronously, unlike <see cref="Progress{T}"/>).</summary>
internal sealed class EpochPrinter : IProgress<EpochResult>
{
    public void Report(EpochResult value) => Console.WriteLine(
        $"  epoch {value.Epoch + 1,2}: train loss {value.TrainLoss:F4}, accuracy {value.TrainAccuracy:P2}; "
        + $"test loss {value.TestLoss:F4}, accuracy {value.TestAccuracy:P2} ({value.Elapsed.TotalSeconds:F0} s)");
}
