using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbeddedInference.Harness;

/// <summary>One way of classifying a normalised 28×28 image: CnnGen's generated code, or ONNX Runtime.</summary>
internal interface IClassifier : IDisposable
{
    /// <summary>What runs the network, for the report (e.g. <c>CnnGen, weights compiled in</c>).</summary>
    string Description { get; }

    /// <summary>The predicted label of one normalised image of <see cref="FashionMnistImages.ImageLength"/> floats.</summary>
    int Classify(ReadOnlySpan<float> image);
}

/// <summary>A classifier that keeps the logits of its last <see cref="IClassifier.Classify"/> (for <c>--logits</c>).</summary>
internal interface IReportsLogits
{
    ReadOnlySpan<float> Logits { get; }
}

/// <summary>
/// The whole program around a classifier: reads the command line, loads the images, classifies them and
/// reports accuracy, latency, the time to the first prediction and the peak memory.
/// </summary>
internal static class Classification
{
    /// <summary>Runs the program; <paramref name="createClassifier"/> is timed as part of the start-up.</summary>
    /// <returns>The process exit code: 0, 1 for an error in the input, 2 for a bad command line.</returns>
    public static int Run<TClassifier>(string[] args, Func<TClassifier> createClassifier)
        where TClassifier : IClassifier
    {
        _ = ProcessClock.MainStarted;
        if (!CommandLine.TryParse(args, out CommandLine? options, out string? error))
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(CommandLine.Usage);
            return 2;
        }

        if (options.ShowHelp)
        {
            Console.WriteLine(CommandLine.Usage);
            return 0;
        }

        long loadStart = Stopwatch.GetTimestamp();
        FashionMnistImages images;
        try
        {
            images = options.ImagesPath is null
                ? FashionMnistImages.LoadTestSet(options.DataDirectory ?? FashionMnistImages.DefaultDirectory)
                : FashionMnistImages.Load(options.ImagesPath, options.LabelsPath);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Cannot load the images: {exception.Message}");
            return 1;
        }

        if (images.Count == 0)
        {
            Console.Error.WriteLine($"'{images.Source}' holds no images.");
            return 1;
        }

        // Start-up ends with the first prediction: runtime start, loading the images, building the classifier.
        long classifierStart = Stopwatch.GetTimestamp();
        using TClassifier classifier = createClassifier();
        if (options.LogitsPath is not null && classifier is not IReportsLogits)
        {
            Console.Error.WriteLine($"{classifier.Description} does not report its logits: --logits is not available.");
            return 2;
        }

        long firstStart = Stopwatch.GetTimestamp();
        int firstPrediction = classifier.Classify(images.Image(0));
        long firstEnd = Stopwatch.GetTimestamp();
        TimeSpan? firstSinceProcessStart = ProcessClock.SinceProcessStart();
        TimeSpan firstSinceMain = ProcessClock.SinceMain();

        int warmUp = Math.Min(options.WarmUp, images.Count);
        for (int index = 0; index < warmUp; index++)
        {
            _ = classifier.Classify(images.Image(index));
        }

        // The timed pass: every image once, each timed on its own.
        var predictions = new int[images.Count];
        var ticks = new long[images.Count];
        string[]? logits = options.LogitsPath is null ? null : new string[images.Count];
        for (int index = 0; index < images.Count; index++)
        {
            long start = Stopwatch.GetTimestamp();
            predictions[index] = classifier.Classify(images.Image(index));
            ticks[index] = Stopwatch.GetTimestamp() - start;
            if (logits is not null)
            {
                logits[index] = string.Join(' ', ((IReportsLogits)classifier).Logits.ToArray().Select(value => value.ToString("R", CultureInfo.InvariantCulture)));
            }
        }

        if (options.PredictionsPath is not null)
        {
            File.WriteAllLines(options.PredictionsPath, predictions.Select(label => label.ToString(CultureInfo.InvariantCulture)));
        }

        if (options.LogitsPath is not null)
        {
            File.WriteAllLines(options.LogitsPath, logits!);
        }

        Console.WriteLine($"{classifier.Description}; {(JitInfo.GetCompiledMethodCount() > 0 ? "JIT" : "NativeAOT")}, {Simd()}");
        Console.WriteLine($"Images: {images.Count:N0} from {images.Source}");
        if (images.Labels is { } labels)
        {
            int correct = predictions.Where((label, index) => label == labels[index]).Count();
            Console.WriteLine($"Accuracy: {100.0 * correct / images.Count:F2} % ({correct:N0} of {images.Count:N0})");
        }
        else
        {
            Console.WriteLine($"First image: {FashionMnistImages.ClassNames[firstPrediction]}");
        }

        Array.Sort(ticks);
        Console.WriteLine(
            $"Latency per image: median {Microseconds(ticks[ticks.Length / 2]):F1} µs, "
            + $"10th percentile {Microseconds(ticks[ticks.Length / 10]):F1} µs, 90th {Microseconds(ticks[ticks.Length * 9 / 10]):F1} µs "
            + $"(1 thread, after {warmUp:N0} warm-up predictions)");
        string sinceStart = firstSinceProcessStart is { } elapsed ? $"{elapsed.TotalMilliseconds:F0} ms after the process started (kernel clock, 10 ms steps), " : "";
        Console.WriteLine(
            $"First prediction: {sinceStart}{firstSinceMain.TotalMilliseconds:F1} ms after Main began "
            + $"(loading the images {Milliseconds(classifierStart - loadStart):F1} ms, creating the classifier {Milliseconds(firstStart - classifierStart):F1} ms, "
            + $"the first image {Milliseconds(firstEnd - firstStart):F2} ms)");
        long? peak = ProcessClock.PeakResidentBytes();
        Console.WriteLine($"Peak RSS: {(peak is { } bytes ? $"{bytes / (1024.0 * 1024.0):F1} MiB (VmHWM)" : "unknown")}");
        if (options.PredictionsPath is not null)
        {
            Console.WriteLine($"Predictions: {Path.GetFullPath(options.PredictionsPath)}");
        }

        return 0;
    }

    /// <summary>The index of the largest of <paramref name="logits"/>; the first one wins a tie.</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int index = 1; index < logits.Length; index++)
        {
            if (logits[index] > logits[best])
            {
                best = index;
            }
        }

        return best;
    }

    private static double Microseconds(long ticks) => ticks * 1e6 / Stopwatch.Frequency;

    private static double Milliseconds(long ticks) => ticks * 1e3 / Stopwatch.Frequency;

    private static string Simd() =>
        (Vector512.IsHardwareAccelerated ? "Vector512"
        : Vector256.IsHardwareAccelerated ? "Vector256"
        : Vector128.IsHardwareAccelerated ? "Vector128"
        : "no SIMD")
        + $" ({RuntimeInformation.ProcessArchitecture})";
}
