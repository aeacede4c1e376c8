using System.Collections.Generic;
using CnnGen.Generator.Planning;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Emit;

/// <summary>
/// Dropout: while training, keeps each value with probability 1 − p and scales it by 1 / (1 − p)
/// through a mask drawn from the network's <c>Random</c>; the mask is cached for backward.
/// At inference it copies its input.
/// </summary>
internal sealed class DropoutEmitter : LayerEmitter
{
    public static readonly DropoutEmitter Instance = new();

    public override IEnumerable<LayerBuffer> Buffers(LayerPlan layer)
    {
        yield return new LayerBuffer(MaskField(layer), layer.Output.Size, BufferLifetime.TrainingBatch);
    }

    public override string Describe(LayerPlan layer) => "p = " + layer.Probability.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    public override void EmitForward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        int size = layer.Output.Size;
        string output = context.ValueBatch(context.OutputOf(layer));
        w.Open(ForwardSignature(layer));
        w.Line($"{context.ValueBatch(context.InputOf(layer))}.CopyTo({output});");
        w.Open("if (_training)");
        w.Line($"{Code.Kernels}Dropout.Forward({output}, {EmitContext.Batch(MaskField(layer), size)}, {Float(layer.Probability)}, Random);");
        w.Close();
        w.Close();
        w.Line();
    }

    public override void EmitBackward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        int size = layer.Output.Size;
        string inputGradient = context.GradientBatch(context.InputOf(layer));
        w.Open(BackwardSignature(layer));
        bool guarded = OpenInputGradientGuard(w, layer);
        w.Line($"{context.GradientBatch(context.OutputOf(layer))}.CopyTo({inputGradient});");
        w.Line($"{Code.Kernels}Dropout.Backward({EmitContext.Batch(MaskField(layer), size)}, {inputGradient});");
        if (guarded)
        {
            w.Close();
        }

        w.Close();
        w.Line();
    }

    private static string MaskField(LayerPlan layer) => "_" + layer.Name + "Mask";
}
