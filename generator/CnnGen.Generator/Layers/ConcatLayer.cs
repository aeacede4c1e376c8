using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Layers;

/// <summary>
/// <c>[Concat("enc1")]</c> = <c>torch.cat([...], 1)</c>: joins the operands' channels (an Inception block's
/// towers, a U-Net's skip). Each sample of the output is the operands' samples one after another, so forward
/// copies each into its channel range and backward copies each range of <c>dOutput</c> back.
/// </summary>
internal sealed class ConcatLayer : LayerDefinition
{
    public static readonly ConcatLayer Instance = new();

    private ConcatLayer()
        : base(LayerKind.Concat)
    {
    }

    public override string NamePrefix => "concat";

    public override bool ReadsNamedTensors => true;

    /// <summary>Concat's backward reads neither its inputs nor its output.</summary>
    public override bool ActivationMayOverwriteOutput => true;

    public override LayerSpec Read(LayerSpec spec, ArgumentValues arguments) => MergeOperands.Read(spec, arguments);

    public override void CheckArguments(LayerSpec layer, LayerChecks checks) => MergeOperands.CheckNamed(layer, checks);

    /// <summary>Images of one height and width (channels add up), or vectors (features add up).</summary>
    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks)
    {
        if (!MergeOperands.CheckTwoOrMore(layer, inputs.Count, checks))
        {
            return null;
        }

        TensorShape first = inputs[0];
        for (int k = 1; k < inputs.Count; k++)
        {
            TensorShape other = inputs[k];
            if (other.IsImage != first.IsImage || other.Height != first.Height || other.Width != first.Width)
            {
                string hint = first.IsImage && other.IsImage
                    ? $"; crop, pad or resize one so both are {LayerChecks.Invariant(System.Math.Min(first.Height, other.Height))}×{LayerChecks.Invariant(System.Math.Min(first.Width, other.Width))} (an odd size pooled then upsampled loses a row)"
                    : "; flatten both, or neither";
                MergeOperands.ReportMismatch(layer, checks, first.IsImage ? "operands of one height and width" : "operands of one kind", inputs, k, hint);
                return null;
            }
        }

        int channels = inputs.Sum(input => input.Channels);
        return new LayerShape(first, first.IsImage ? TensorShape.Image(channels, first.Height, first.Width) : TensorShape.Vector(channels));
    }

    public override string Operands(LayerPlan layer) => string.Join(" | ", layer.OperandNames);

    public override string Describe(LayerPlan layer) => "channels of " + Operands(layer);

    public override void EmitForward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        w.Open(ForwardSignature(layer));
        w.Open("for (int n = 0; n < batchSize; n++)");
        int offset = 0;
        for (int k = 0; k < layer.InputTensors.Count; k++)
        {
            TensorPlan operand = context.InputOf(layer, k);
            w.Line($"{context.ValueSample(operand)}.CopyTo({context.ValueSamplePart(context.OutputOf(layer), offset, operand.Size)}); // {layer.OperandNames[k]}");
            offset += operand.Size;
        }

        w.Close();
        w.Close();
        w.Line();
    }

    public override void EmitBackward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        w.Open(BackwardSignature(layer));
        w.Open("for (int n = 0; n < batchSize; n++)");
        int offset = 0;
        for (int k = 0; k < layer.InputTensors.Count; k++)
        {
            int size = context.InputOf(layer, k).Size;
            w.Line($"{context.GradientSamplePart(context.OutputOf(layer), offset, size)}.CopyTo({context.GradientSample(context.InputGradientOf(layer, k))}); // d{layer.OperandNames[k]}");
            offset += size;
        }

        w.Close();
        w.Close();
        w.Line();
    }
}
