using System.Collections.Generic;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Layers;

/// <summary>
/// Dropout: while training, keeps each value with probability 1 − p and scales it by 1 / (1 − p)
/// through a mask drawn from the network's <c>Random</c>; the mask is cached for backward.
/// At inference it copies its input.
/// </summary>
internal sealed class DropoutLayer : LayerDefinition
{
    public static readonly DropoutLayer Instance = new();

    private DropoutLayer()
        : base(LayerKind.Dropout)
    {
    }

    public override string NamePrefix => "dropout";

    public override LayerSpec Read(LayerSpec spec, ArgumentValues arguments) =>
        spec with { Probability = arguments.Double("probability", 0) };

    public override void CheckArguments(LayerSpec layer, LayerChecks checks)
    {
        if (!(layer.Probability >= 0 && layer.Probability < 1))
        {
            checks.Report(DiagnosticIds.ArgumentOutOfRange, new[] { "probability" }, layer.Name, "probability", LayerChecks.Invariant(layer.Probability), "it must be in [0, 1)");
        }
    }

    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks) =>
        new(inputs[0], inputs[0]);

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
        string inputGradient = context.GradientBatch(context.InputGradientOf(layer));
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
