using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emit;

/// <summary>The Keras-like layer table used for <c>Summary</c> and the class's <c>remarks</c>.</summary>
internal static class SummaryTable
{
    public static IReadOnlyList<string> Lines(NetworkPlan plan)
    {
        // A graph gets a fifth column, what each layer reads where it is not simply the layer above.
        bool graph = plan.Layers.Any(layer => layer.ReadsNamedTensors);
        var rows = new List<string[]> { new[] { "Layer", "Kind", "Output shape", "Parameters", graph ? "Reads" : string.Empty } };
        rows.Add(new[] { plan.InputName, "Input", plan.InputShape.ToString(), "0", string.Empty });
        foreach (LayerPlan layer in plan.Layers)
        {
            string reads = layer.ReadsNamedTensors ? LayerDefinitions.For(layer.Kind).Operands(layer) : string.Empty;
            rows.Add(new[] { layer.Name, layer.Kind.ToString(), layer.Output.ToString(), Count(layer.ParameterCount), reads });
        }

        int[] widths = Enumerable.Range(0, 5).Select(column => rows.Max(row => row[column].Length)).ToArray();
        string Format(string[] row) =>
            (row[0].PadRight(widths[0]) + "  " + row[1].PadRight(widths[1]) + "  " + row[2].PadRight(widths[2]) + "  " + row[3].PadLeft(widths[3])
                + (graph ? "  " + row[4] : string.Empty)).TrimEnd();

        string rule = new('-', widths.Sum() + (graph ? 8 : 6));
        var lines = new List<string> { Format(rows[0]), rule };
        lines.AddRange(rows.Skip(1).Select(Format));
        lines.Add(rule);
        lines.Add("Total parameters: " + Count(plan.ParameterCount));
        if (plan.StateCount > 0)
        {
            lines.Add("Non-trainable state: " + Count(plan.StateCount) + " floats (running statistics)");
        }

        lines.Add($"Activation memory: {Count(plan.InferenceArenaBytes(1, 1))} bytes for inference of one sample; {Count(plan.TrainingArenaBytes(TrainingBatch, 1))} bytes for a training step of {TrainingBatch}");
        return lines;
    }

    /// <summary>The batch the summary quotes training memory for.</summary>
    private const int TrainingBatch = 64;

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
