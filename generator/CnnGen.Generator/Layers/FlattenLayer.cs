using System.Collections.Generic;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Layers;

/// <summary>
/// Flatten is free: NCHW samples are already C, H, W-ordered vectors, so the next layer reads the
/// same buffer. Nothing is emitted.
/// </summary>
internal sealed class FlattenLayer : LayerDefinition
{
    public static readonly FlattenLayer Instance = new();

    private FlattenLayer()
        : base(LayerKind.Flatten)
    {
    }

    public override string NamePrefix => "flatten";

    public override bool IsView => true;

    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks) =>
        new(inputs[0], TensorShape.Vector(inputs[0].Size));

    public override string Describe(LayerPlan layer) => "a view of the same buffer; no code";

    public override void EmitForward(SourceWriter writer, LayerPlan layer, EmitContext context)
    {
    }

    public override void EmitBackward(SourceWriter writer, LayerPlan layer, EmitContext context)
    {
    }
}
