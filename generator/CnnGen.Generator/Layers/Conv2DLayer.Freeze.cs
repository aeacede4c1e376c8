using System.Collections.Generic;
using CnnGen.Generator.Planning;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Layers;

/// <summary>
/// What <c>Freeze</c> does for a Conv2D: fold the BatchNorm after it (<see cref="LayerPlan.Fold"/>) into a copy of
/// its weight and bias, and pack the weights its inference kernel reads once, not on every call.
/// </summary>
internal sealed partial class Conv2DLayer
{
    /// <summary>
    /// What <c>Freeze</c> does for this layer: fold the BatchNorm after it into a copy of its weight and bias
    /// (<see cref="LayerPlan.Fold"/>), then pack the weights its inference kernel reads, once instead of on every
    /// forward call (the seed net's conv2: 14 µs a call), from that copy if there is one.
    /// </summary>
    public override IEnumerable<string> FreezeStatements(LayerPlan layer)
    {
        if (layer.Fold is { } fold)
        {
            yield return $"// {layer.Name}: {fold.Name} folded into a copy of its weight and bias, so {fold.Name} does not run";
            yield return $"{FoldedField(layer)} = new float[{Int(layer.WeightCount + fold.Channels)}];";
            yield return BatchNorm2DLayer.FoldStatement(layer, FoldedField(layer));
        }

        if (layer.PackedWeightSize > 0)
        {
            yield return $"// {layer.Name}: packed here once instead of on every forward call";
            yield return $"Grow(ref {PackedWeightsField(layer)}, {Int(layer.PackedWeightSize)});";
            yield return Pack(layer, layer.Fold is null ? WeightSlice(layer) : FoldedWeight(layer));
        }
    }

    /// <summary>The arrays <c>Freeze</c> fills for this layer, read-only from then on: the packed weights, the folded weight and bias.</summary>
    public override IEnumerable<string> FrozenFields(LayerPlan layer)
    {
        if (layer.PackedWeightSize > 0)
        {
            yield return PackedWeightsField(layer);
        }

        if (layer.Fold is not null)
        {
            yield return FoldedField(layer);
        }
    }

    /// <summary><c>_conv1Folded</c>: the weight, then the bias, with the BatchNorm after the layer folded in; null until frozen.</summary>
    public static string FoldedField(LayerPlan layer) => "_" + layer.Name + "Folded";

    private static string FoldedWeight(LayerPlan layer) => $"SpanOf({FoldedField(layer)}!, 0, {Int(layer.WeightCount)})";

    private static string FoldedBias(LayerPlan layer) => $"SpanOf({FoldedField(layer)}!, {Int(layer.WeightCount)}, {Int(layer.Output.Channels)})";

    /// <summary>The statement that packs <paramref name="weight"/> for this layer's inference kernel (implicit or direct).</summary>
    private static string Pack(LayerPlan layer, string weight) =>
        $"{InferenceKernel(layer)}.PackWeights({ShapeField(layer)}, {weight}, {PackedWeightsField(layer)});";
}
