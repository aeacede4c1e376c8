using System.Collections.Generic;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Layers;

/// <summary>
/// Relu, Sigmoid, Tanh and Softmax. They run in place on the producer's output when the planner
/// allows it (fused into the producer's buffer); backward turns dOutput into dInput using the
/// cached output y: Relu 1[y &gt; 0], Sigmoid y(1 − y), Tanh 1 − y², Softmax y ⊙ (g − Σ g·y).
/// </summary>
internal sealed class ActivationLayer : LayerDefinition
{
    public static readonly ActivationLayer Relu = new(LayerKind.Relu);

    public static readonly ActivationLayer Sigmoid = new(LayerKind.Sigmoid);

    public static readonly ActivationLayer Tanh = new(LayerKind.Tanh);

    public static readonly ActivationLayer Softmax = new(LayerKind.Softmax);

    private ActivationLayer(LayerKind kind)
        : base(kind)
    {
    }

    public override string NamePrefix => Kind.ToString().ToLowerInvariant();

    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks) =>
        new(inputs[0], inputs[0]);

    public override string Describe(LayerPlan layer)
    {
        string where = layer.FusedIntoProducer ? "fused into the layer above" : layer.InPlace ? "in place" : "into its own buffer";
        string over = layer.Kind == LayerKind.Softmax && layer.Input.IsImage ? " over channels at each pixel" : string.Empty;
        return $"{layer.Kind}{over}, {where}";
    }

    public override void EmitForward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        int size = layer.Output.Size;
        string output = context.ValueBatch(context.OutputOf(layer));
        w.Open(ForwardSignature(layer));
        if (!layer.InPlace)
        {
            w.Line($"{context.ValueBatch(context.InputOf(layer))}.CopyTo({output});");
        }

        if (layer.Kind == LayerKind.Softmax)
        {
            w.Open("for (int n = 0; n < batchSize; n++)");
            w.Line($"{Code.Kernels}Softmax.Forward({context.ValueSample(context.OutputOf(layer))}, {SoftmaxGroups(layer)});");
            w.Close();
        }
        else
        {
            w.Line($"{Code.Kernels}{layer.Kind}.Forward({output});");
        }

        w.Close();
        w.Line();
    }

    public override void EmitBackward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        int size = layer.Output.Size;
        TensorPlan input = context.InputGradientOf(layer), output = context.OutputOf(layer);
        w.Open(BackwardSignature(layer));
        bool guarded = OpenInputGradientGuard(w, layer);
        if (!layer.InPlace)
        {
            w.Line($"{context.GradientBatch(output)}.CopyTo({context.GradientBatch(input)});");
        }

        if (layer.Kind == LayerKind.Softmax)
        {
            w.Open("for (int n = 0; n < batchSize; n++)");
            w.Line($"{Code.Kernels}Softmax.Backward({context.ValueSample(output)}, {context.GradientSample(input)}, {SoftmaxGroups(layer)});");
            w.Close();
        }
        else
        {
            w.Line($"{Code.Kernels}{layer.Kind}.Backward({context.ValueBatch(output)}, {context.GradientBatch(input)});");
        }

        if (guarded)
        {
            w.Close();
        }

        w.Close();
        w.Line();
    }

    /// <summary><c>Relu.Forward(sample)</c>: the activation on one sample, for a producer that fuses it.</summary>
    public static string SampleForward(LayerKind kind, string sample, LayerPlan producer) => kind == LayerKind.Softmax
        ? $"{Code.Kernels}Softmax.Forward({sample}, {SoftmaxGroups(producer.Output)});"
        : $"{Code.Kernels}{kind}.Forward({sample});";

    /// <summary><c>Relu.Backward(output, gradient)</c> on one sample, turning dOutput into dPreActivation in place.</summary>
    public static string SampleBackward(LayerKind kind, string output, string gradient, LayerPlan producer) => kind == LayerKind.Softmax
        ? $"{Code.Kernels}Softmax.Backward({output}, {gradient}, {SoftmaxGroups(producer.Output)});"
        : $"{Code.Kernels}{kind}.Backward({output}, {gradient});";

    private static string SoftmaxGroups(LayerPlan layer) => SoftmaxGroups(layer.Input);

    /// <summary>Softmax runs over dim 1 as <c>nn.Softmax(dim=1)</c>: channels, at each pixel of an image.</summary>
    private static string SoftmaxGroups(Shapes.TensorShape input) => input.IsImage
        ? $"{Int(input.Channels)}, {Int(input.PlaneSize)}"
        : $"{Int(input.Size)}, 1";
}
