using System.Linq;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Shapes;

/// <summary>One layer's input and output shapes, and for windowed layers the geometry of both axes.</summary>
internal sealed record LayerShape(TensorShape Input, TensorShape Output)
{
    public AxisGeometry Vertical { get; init; }

    public AxisGeometry Horizontal { get; init; }

    /// <summary>The layers (indices into the spec) whose outputs this layer reads, in operand order; empty for the input.</summary>
    public EquatableArray<int> Sources { get; init; } = EquatableArray<int>.Empty;
}

/// <summary>
/// A problem found in a network, Roslyn-free: the diagnostic ID, the layer (−1 for the class
/// itself), the argument names to point at (first one the user wrote wins, else the attribute),
/// and the message arguments.
/// </summary>
internal sealed record ShapeProblem(
    string Id,
    int LayerIndex,
    EquatableArray<string> Arguments,
    EquatableArray<string> MessageArguments)
{
    public bool IsError => !DiagnosticIds.IsWarning(Id);
}

/// <summary>What <see cref="ShapeInference"/> found: a shape per layer (null where unknown) and every problem.</summary>
internal sealed record ShapeReport(EquatableArray<LayerShapeSlot> Layers, EquatableArray<ShapeProblem> Problems)
{
    public bool HasErrors => Problems.Any(problem => problem.IsError);
}

/// <summary>Wraps a possibly unknown <see cref="LayerShape"/> so it can live in an <see cref="EquatableArray{T}"/>.</summary>
internal sealed record LayerShapeSlot(LayerShape? Shape);
