using System.Collections.Generic;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Layers;

/// <summary>
/// Dense over the whole batch at once: <c>output (N, U) = input (N, I) · weightᵀ + bias</c> with the
/// weight in PyTorch's (U, I) layout; one sample of a frozen network reads the weight's panels instead
/// (<see cref="FreezeEmitter"/>). Backward: <c>dWeight += dOutputᵀ · input</c>,
/// <c>dBias += column sums</c>, <c>dInput = dOutput · weight</c>.
/// </summary>
internal sealed class DenseLayer : LayerDefinition
{
    public static readonly DenseLayer Instance = new();

    private DenseLayer()
        : base(LayerKind.Dense)
    {
    }

    public override string NamePrefix => "dense";

    /// <summary>Dense's backward reads its input, never its output.</summary>
    public override bool ActivationMayOverwriteOutput => true;

    public override LayerSpec Read(LayerSpec spec, ArgumentValues arguments) =>
        spec with { Units = arguments.Int("units", 0), Bias = arguments.Bool("Bias", true) };

    public override void CheckArguments(LayerSpec layer, LayerChecks checks) => checks.AtLeast("units", layer.Units, 1);

    /// <summary>A vector of <c>units</c>; an image input is CNN0005 (no implicit flatten: the layout stays PyTorch's).</summary>
    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks)
    {
        TensorShape input = inputs[0];
        if (input.IsImage)
        {
            checks.Report(DiagnosticIds.DenseNeedsVector, new string[0], layer.Name, input.ToString(), LayerChecks.Invariant(input.Size));
            return null;
        }

        return new LayerShape(input, TensorShape.Vector(layer.Units));
    }

    /// <summary><c>weight (units, inputs)</c>, <c>bias (units)</c> unless <c>Bias = false</c>; fan-in = inputs.</summary>
    public override LayerParameters? Parameters(LayerSpec layer, LayerShape shape) =>
        new(new[] { shape.Output.Size, shape.Input.Size }.ToEquatableArray(), layer.Bias ? shape.Output.Size : 0, shape.Input.Size);

    public override string Describe(LayerPlan layer) => $"{Int(layer.Input.Size)} inputs, {Int(layer.Output.Size)} units";

    public override void EmitForward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        int inputs = layer.Input.Size, units = layer.Output.Size;
        w.Open(ForwardSignature(layer));
        w.Line($"{Code.ReadOnlySpan} weight = ParameterValues.Slice({Int(layer.WeightOffset)}, {Int(layer.WeightCount)}); // ({Int(units)}, {Int(inputs)})");
        w.Line($"{Code.Span} output = {context.ValueBatch(context.OutputOf(layer))};");
        string product = $"{Code.Gemm}MultiplyNT(batchSize, {Int(units)}, {Int(inputs)}, {context.ValueBatch(context.InputOf(layer))}, weight, output, accumulate: false);";
        if (FreezeEmitter.MayUsePanels(layer))
        {
            w.Open($"if (batchSize == 1 && {FreezeEmitter.PanelsField(layer)} is {{ }} panels)");
            w.Line($"{Code.Kernels}DensePanels.Forward(panels, {context.ValueBatch(context.InputOf(layer))}, output);");
            w.Close();
            w.Open("else");
            w.Line(product);
            w.Close();
        }
        else
        {
            w.Line(product);
        }
        if (layer.BiasCount > 0)
        {
            w.Line();
            w.Line($"{Code.Bias}AddToColumns(output, ParameterValues.Slice({Int(layer.BiasOffset)}, {Int(layer.BiasCount)}), batchSize);");
        }

        w.Close();
        w.Line();
    }

    public override void EmitBackward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        int inputs = layer.Input.Size, units = layer.Output.Size;
        w.Open(BackwardSignature(layer));
        w.Line($"{Code.ReadOnlySpan} outputGradient = {context.GradientBatch(context.OutputOf(layer))};");
        w.Line($"{Code.Gemm}MultiplyTN({Int(units)}, {Int(inputs)}, batchSize, outputGradient, {context.ValueBatch(context.InputOf(layer))}, SpanOf(_gradients, {Int(layer.WeightOffset)}, {Int(layer.WeightCount)}), accumulate: true);");
        if (layer.BiasCount > 0)
        {
            w.Line($"{Code.Bias}AccumulateColumnSums(outputGradient, SpanOf(_gradients, {Int(layer.BiasOffset)}, {Int(layer.BiasCount)}), batchSize);");
        }

        bool guarded = OpenInputGradientGuard(w, layer);
        w.Line($"{Code.Gemm}MultiplyNN(batchSize, {Int(inputs)}, {Int(units)}, outputGradient, ParameterValues.Slice({Int(layer.WeightOffset)}, {Int(layer.WeightCount)}), {context.GradientBatch(context.InputGradientOf(layer))}, accumulate: false);");
        if (guarded)
        {
            w.Close();
        }

        w.Close();
        w.Line();
    }
}
