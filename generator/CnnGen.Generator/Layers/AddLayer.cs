using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Layers;

/// <summary>
/// <c>[Add("stem")]</c>: the element-wise sum of the current tensor and the named ones (a ResNet skip
/// connection). Forward <c>output = a + b (+ c …)</c> over each worker's samples, then a ReLU that follows in
/// place in the same pass; backward hands each operand <c>dOutput</c> (masked by that ReLU) unchanged (the
/// planner makes a second reader of a tensor add into its gradient).
/// </summary>
internal sealed class AddLayer : MergeLayer
{
    public static readonly AddLayer Instance = new();

    private AddLayer()
        : base(LayerKind.Add, " + ")
    {
    }

    public override string NamePrefix => "add";

    /// <summary>Every operand must have the first one's shape (no broadcasting, as a ResNet block needs none).</summary>
    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks)
    {
        if (!CheckTwoOrMore(layer, inputs.Count, checks))
        {
            return null;
        }

        for (int k = 1; k < inputs.Count; k++)
        {
            if (inputs[k] != inputs[0])
            {
                ReportMismatch(layer, checks, "operands of one shape", inputs, k, Hint(inputs[0], inputs[k]));
                return null;
            }
        }

        return new LayerShape(inputs[0], inputs[0]);
    }

    private static string Hint(TensorShape first, TensorShape other) =>
        first.IsImage && other.IsImage && first.Channels != other.Channels && first.Height == other.Height
            ? "; a 1×1 convolution on the shortcut can match the channels"
            : first.IsImage && other.IsImage && first.Height != other.Height
                ? "; a strided 1×1 convolution on the shortcut can match the size"
                : string.Empty;

    public override string Describe(LayerPlan layer) =>
        Operands(layer) + (layer.FusedActivation is { } activation ? $", then {activation}" : string.Empty) + "; over each worker's samples";

    /// <summary>A ReLU right after the sum is applied in the same pass (ResNet's block end), forward and backward.</summary>
    public override bool FusesActivation(LayerKind activation) => activation == LayerKind.Relu;

    public override IEnumerable<string> ParallelBodies(LayerPlan layer)
    {
        yield return $"_{layer.Name}ForwardSamples";
    }

    /// <summary>Split over the batch as the convolutions are, so at batch 64 each worker sums the samples it just convolved.</summary>
    public override void EmitForward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        w.Open(ForwardSignature(layer));
        w.Line($"{ParallelFor(layer.MethodName + "ForwardSamples")};");
        w.Close();
        w.Line();
        string output = context.ValueRange(context.OutputOf(layer));
        bool relu = layer.FusedActivation == LayerKind.Relu;
        int last = layer.InputTensors.Count - 1;
        w.Open($"private void {layer.MethodName}ForwardSamples(int worker, int start, int end)");
        string sum = relu && last == 1 ? $"{Code.Kernels}Relu.AddThenForward" : $"{Code.TensorPrimitives}Add";
        w.Line($"{sum}({context.ValueRange(context.InputOf(layer, 0))}, {context.ValueRange(context.InputOf(layer, 1))}, {output});");
        for (int k = 2; k <= last; k++)
        {
            sum = relu && k == last ? $"{Code.Kernels}Relu.AddThenForward" : $"{Code.TensorPrimitives}Add";
            w.Line($"{sum}({output}, {context.ValueRange(context.InputOf(layer, k))}, {output});");
        }

        w.Close();
        w.Line();
    }

    public override void EmitBackward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        w.Open(BackwardSignature(layer));
        if (layer.FusedActivation == LayerKind.Relu)
        {
            // The fused ReLU's backward first: dSum = dOutput where the output is positive.
            w.Line($"{Code.Kernels}Relu.Backward({context.ValueBatch(context.OutputOf(layer))}, {context.GradientBatch(context.OutputOf(layer))});");
        }

        w.Line($"{Code.ReadOnlySpan} outputGradient = {context.GradientBatch(context.OutputOf(layer))};");
        foreach (int k in Enumerable.Range(0, layer.InputTensors.Count))
        {
            w.Line($"outputGradient.CopyTo({context.GradientBatch(context.InputGradientOf(layer, k))}); // d{layer.OperandNames[k]}");
        }

        w.Close();
        w.Line();
    }
}
