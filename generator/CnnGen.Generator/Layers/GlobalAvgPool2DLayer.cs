using System.Collections.Generic;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Layers;

/// <summary>
/// <c>[GlobalAvgPool2D]</c> = <c>nn.AdaptiveAvgPool2d(1)</c>: each channel plane's mean, (C, H, W) → (C, 1, 1),
/// for a classifier head (<c>Flatten, Dense</c> follow). Backward spreads <c>dOutput / (H·W)</c> over the plane.
/// </summary>
internal sealed class GlobalAvgPool2DLayer : LayerDefinition
{
    public static readonly GlobalAvgPool2DLayer Instance = new();

    private GlobalAvgPool2DLayer()
        : base(LayerKind.GlobalAvgPool2D)
    {
    }

    public override string NamePrefix => "pool";

    /// <summary>The backward reads nothing but dOutput.</summary>
    public override bool ActivationMayOverwriteOutput => true;

    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks) =>
        checks.RequireImage(inputs[0]) ? new LayerShape(inputs[0], TensorShape.Image(inputs[0].Channels, 1, 1)) : null;

    public override string Describe(LayerPlan layer) => $"mean of each {Int(layer.Input.Height)}×{Int(layer.Input.Width)} plane";

    public override void EmitForward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        w.Open(ForwardSignature(layer));
        w.Line($"{Code.Kernels}GlobalAveragePool.Forward({context.ValueBatch(context.InputOf(layer))}, {context.ValueBatch(context.OutputOf(layer))}, batchSize * {Int(layer.Input.Channels)}, {Int(layer.Input.PlaneSize)});");
        w.Close();
        w.Line();
    }

    public override void EmitBackward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        w.Open(BackwardSignature(layer));
        bool guarded = OpenInputGradientGuard(w, layer);
        w.Line($"{Code.Kernels}GlobalAveragePool.Backward({context.GradientBatch(context.OutputOf(layer))}, {context.GradientBatch(context.InputGradientOf(layer))}, batchSize * {Int(layer.Input.Channels)}, {Int(layer.Input.PlaneSize)});");
        if (guarded)
        {
            w.Close();
        }

        w.Close();
        w.Line();
    }
}
