using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emit;

/// <summary>
/// Flatten is free: NCHW samples are already C, H, W-ordered vectors, so the next layer reads the
/// same buffer. Nothing is emitted.
/// </summary>
internal sealed class FlattenEmitter : LayerEmitter
{
    public static readonly FlattenEmitter Instance = new();

    public override string Describe(LayerPlan layer) => "a view of the same buffer; no code";

    public override void EmitForward(SourceWriter writer, LayerPlan layer, EmitContext context)
    {
    }

    public override void EmitBackward(SourceWriter writer, LayerPlan layer, EmitContext context)
    {
    }
}
