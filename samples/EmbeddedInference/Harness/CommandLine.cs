using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EmbeddedInference.Harness;

/// <summary>The command line: which images, where the predictions go, how many warm-up predictions.</summary>
internal sealed class CommandLine
{
    public const string Usage =
        """
        Usage: EmbeddedInference[.Onnx] [IMAGES [LABELS]] [--data DIR] [--predictions FILE] [--logits FILE] [--warm-up N]

          IMAGES, LABELS      an IDX image file of 28x28 images (plain or .gz) and, optionally, its labels
          --data DIR          a Fashion-MNIST directory: classify its t10k-images-idx3-ubyte[.gz] with its labels,
                              e.g. /usr/share/datasets/fashion-mnist for all 10,000 test images
                              [default: the 2,000-image subset in data/ next to the executable]
          --predictions FILE  write the predicted label of every image, one per line
          --logits FILE       write the logits of every image, one line of space-separated floats per image
                              (a classifier that reports them: CnnGen's)
          --warm-up N         predictions before the timed pass (the JIT needs ~2,000 to reach its optimised code) [default: 2000]
        """;

    public string? ImagesPath { get; private set; }

    public string? LabelsPath { get; private set; }

    public string? DataDirectory { get; private set; }

    public string? PredictionsPath { get; private set; }

    public string? LogitsPath { get; private set; }

    public int WarmUp { get; private set; } = 2000;

    public bool ShowHelp { get; private set; }

    public static bool TryParse(string[] args, [NotNullWhen(true)] out CommandLine? options, [NotNullWhen(false)] out string? error)
    {
        var result = new CommandLine();
        var positional = new List<string>();
        options = null;
        for (int index = 0; index < args.Length; index++)
        {
            string arg = args[index];
            switch (arg)
            {
                case "-h" or "--help":
                    result.ShowHelp = true;
                    break;
                case "--data" or "--predictions" or "--logits" or "--warm-up":
                    if (index + 1 == args.Length)
                    {
                        error = $"{arg} needs a value.";
                        return false;
                    }

                    string value = args[++index];
                    if (arg == "--data")
                    {
                        result.DataDirectory = value;
                    }
                    else if (arg == "--predictions")
                    {
                        result.PredictionsPath = value;
                    }
                    else if (arg == "--logits")
                    {
                        result.LogitsPath = value;
                    }
                    else if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int warmUp))
                    {
                        error = $"--warm-up takes a count, not '{value}'.";
                        return false;
                    }
                    else
                    {
                        result.WarmUp = warmUp;
                    }

                    break;
                default:
                    if (arg.StartsWith('-'))
                    {
                        error = $"Unknown option '{arg}'.";
                        return false;
                    }

                    positional.Add(arg);
                    break;
            }
        }

        if (positional.Count > 2)
        {
            error = $"Too many arguments: '{string.Join("' '", positional)}'.";
            return false;
        }

        if (positional.Count > 0 && result.DataDirectory is not null)
        {
            error = "Give either IMAGES [LABELS] or --data, not both.";
            return false;
        }

        result.ImagesPath = positional.ElementAtOrDefault(0);
        result.LabelsPath = positional.ElementAtOrDefault(1);
        options = result;
        error = null;
        return true;
    }
}
