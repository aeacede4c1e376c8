using System.Collections.Generic;
using System.Globalization;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Shapes;

/// <summary>
/// How a layer definition reports a problem with one layer: the diagnostic ID, the arguments to point at
/// (the first one the user wrote wins, else the attribute) and the message arguments.
/// </summary>
internal sealed class LayerChecks
{
    public const string AtLeastOne = "it must be at least 1";

    private readonly List<ShapeProblem> _problems;

    public LayerChecks(List<ShapeProblem> problems, int layerIndex, LayerSpec layer)
    {
        _problems = problems;
        LayerIndex = layerIndex;
        Layer = layer;
    }

    public int LayerIndex { get; }

    public LayerSpec Layer { get; }

    /// <summary>The names of the tensors the layer reads, in operand order, for messages about merges.</summary>
    public IReadOnlyList<string> OperandNames { get; init; } = new string[0];

    public void Report(string id, string[] arguments, params string[] messageArguments) =>
        _problems.Add(new ShapeProblem(id, LayerIndex, arguments.ToEquatableArray(), messageArguments.ToEquatableArray()));

    /// <summary>CNN0004 on <paramref name="argument"/> unless <paramref name="value"/> ≥ <paramref name="minimum"/>.</summary>
    public void AtLeast(string argument, int value, int minimum, string requirement = AtLeastOne)
    {
        if (value < minimum)
        {
            Report(DiagnosticIds.ArgumentOutOfRange, new[] { argument }, Layer.Name, argument, Invariant(value), requirement);
        }
    }

    /// <summary>CNN0013: this layer needs an image (C, H, W) but gets <paramref name="input"/>.</summary>
    public bool RequireImage(TensorShape input)
    {
        if (!input.IsImage)
        {
            Report(DiagnosticIds.LayerNeedsImage, new string[0], Layer.Name, Layer.Kind.ToString(), input.ToString());
        }

        return input.IsImage;
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Invariant(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
