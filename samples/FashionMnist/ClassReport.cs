using CnnGen.Runtime;
using CnnGen.Runtime.Data;
using Spectre.Console;

namespace FashionMnist;

/// <summary>Per-class test accuracy and the class each one is most often mistaken for.</summary>
internal static class ClassReport
{
    /// <summary>Classifies <paramref name="dataset"/> in inference mode and prints one row per class.</summary>
    public static void Print(INetwork network, Dataset dataset, IReadOnlyList<string> classNames)
    {
        int classes = network.OutputLength;
        var confusion = new int[classes, classes]; // [true label, predicted label]
        const int BatchSize = 256;
        var outputs = new float[BatchSize * classes];
        network.IsTraining = false;
        for (int start = 0; start < dataset.Count; start += BatchSize)
        {
            int count = Math.Min(BatchSize, dataset.Count - start);
            Span<float> batchOutputs = outputs.AsSpan(0, count * classes);
            network.ForwardBatch(dataset.Images.Slice(start * network.InputLength, count * network.InputLength), batchOutputs, count);
            for (int sample = 0; sample < count; sample++)
            {
                int predicted = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(batchOutputs.Slice(sample * classes, classes));
                confusion[dataset.Labels[start + sample], predicted]++;
            }
        }

        var table = new Table().AddColumns("Class", "Test images", "Accuracy", "Most often mistaken for");
        table.Columns[1].RightAligned();
        table.Columns[2].RightAligned();
        for (int label = 0; label < classes; label++)
        {
            int total = 0, worst = -1;
            for (int predicted = 0; predicted < classes; predicted++)
            {
                total += confusion[label, predicted];
                if (predicted != label && confusion[label, predicted] > 0 && (worst < 0 || confusion[label, predicted] > confusion[label, worst]))
                {
                    worst = predicted;
                }
            }

            table.AddRow(
                Markup.Escape(classNames[label]),
                total.ToString("N0"),
                total == 0 ? "-" : $"{(double)confusion[label, label] / total:P1}",
                worst < 0 ? "-" : Markup.Escape($"{classNames[worst]} ({confusion[label, worst]})"));
        }

        AnsiConsole.Write(table);
    }
}
