using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Layers;

/// <summary>
/// <c>[Add("stem")]</c>: the element-wise sum of the current tensor and the named ones (a ResNet skip
/// connection). Forward <c>output = a + b (+ c …)</c> over the whole batch; backward hands each operand
/// <c>dOutput</c> unchanged (the planner makes a second reader of a tensor add into its gradient).
/// </summary>
internal sealed class AddLayer : LayerDefinition
{
    public static readonly AddLayer Instance = new();

    private AddLayer()
        : base(LayerKind.Add)
    {
    }

    public override string NamePrefix => "add";

    public override bool ReadsNamedTensors => true;

    /// <summary>Add's backward reads neither its inputs nor its output.</summary>
    public override bool ActivationMayOverwriteOutput => true;

    public override LayerSpec Read(LayerSpec spec, ArgumentValues arguments) => MergeOperands.Read(spec, arguments);

    public override void CheckArguments(LayerSpec layer, LayerChecks checks) => MergeOperands.CheckNamed(layer, checks);

    /// <summary>Every operand must have the first one's shape (no broadcasting, as a ResNet block needs none).</summary>
    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks)
    {
        if (!MergeOperands.CheckTwoOrMore(layer, inputs.Count, checks))
        {
            return null;
        }

        for (int k = 1; k < inputs.Count; k++)
        {
            if (inputs[k] != inputs[0])
            {
                MergeOperands.ReportMismatch(layer, checks, "operands of one shape", inputs, k, Hint(inputs[0], inputs[k]));
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

    public override string Operands(LayerPlan layer) => string.Join(" + ", layer.OperandNames);

    public override string Describe(LayerPlan layer) => Operands(layer);

    public override void EmitForward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        string output = context.ValueBatch(context.OutputOf(layer));
        w.Open(ForwardSignature(layer));
        w.Line($"{Code.TensorPrimitives}Add({context.ValueBatch(context.InputOf(layer, 0))}, {context.ValueBatch(context.InputOf(layer, 1))}, {output});");
        for (int k = 2; k < layer.InputTensors.Count; k++)
        {
            w.Line($"{Code.TensorPrimitives}Add({output}, {context.ValueBatch(context.InputOf(layer, k))}, {output});");
        }

        w.Close();
        w.Line();
    }

    public override void EmitBackward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        w.Open(BackwardSignature(layer));
        w.Line($"{Code.ReadOnlySpan} outputGradient = {context.GradientBatch(context.OutputOf(layer))};");
        foreach (int k in Enumerable.Range(0, layer.InputTensors.Count))
        {
            w.Line($"outputGradient.CopyTo({context.GradientBatch(context.InputGradientOf(layer, k))}); // d{layer.OperandNames[k]}");
        }

        w.Close();
        w.Line();
    }
}
