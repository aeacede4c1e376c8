using System.Collections.Generic;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Layers;

/// <summary>
/// <c>[From("x")]</c>: the next layer reads tensor <c>x</c> instead of the previous layer's output — how a
/// second branch (a ResNet shortcut, an Inception tower) starts. It computes nothing and names no tensor;
/// shape inference resolves it, and the plan has no layer for it.
/// </summary>
internal sealed class FromLayer : LayerDefinition
{
    public static readonly FromLayer Instance = new();

    private FromLayer()
        : base(LayerKind.From)
    {
    }

    public override string NamePrefix => string.Empty;

    public override LayerSpec Read(LayerSpec spec, ArgumentValues arguments) =>
        spec with { TensorNames = new[] { arguments.String("name") ?? string.Empty }.ToEquatableArray() };

    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks) =>
        new(inputs[0], inputs[0]);

    public override string Describe(LayerPlan layer) => "reads a named tensor; no code";

    public override void EmitForward(SourceWriter writer, LayerPlan layer, EmitContext context)
    {
    }

    public override void EmitBackward(SourceWriter writer, LayerPlan layer, EmitContext context)
    {
    }
}
