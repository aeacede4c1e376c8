using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Emit;

/// <summary>
/// <c>Freeze()</c>: turns a network into an inference-only one whose dense weights are arranged once for
/// one-sample latency (<c>DensePanels</c>), whose convolutions' packed weights are made once, not per call, and
/// in which a BatchNorm after a convolution is folded into that convolution's weight and bias (each layer kind
/// says what it does: <see cref="LayerEmitter.FreezeStatements"/>; the planner decides which BatchNorm folds).
/// An arranged copy of a weight is only correct while the weight stays as it was, so freezing detaches the
/// parameter buffer (spans handed out before no longer reach the network) and afterwards refuses every
/// write: <c>Parameters</c>, <c>ResetParameters</c>, training mode.
/// </summary>
internal static class FreezeEmitter
{
    public const string Flag = "_frozen";

    /// <summary><c>_dense1Panels</c>: the arranged weight of a dense layer, null until frozen.</summary>
    public static string PanelsField(LayerPlan layer) => $"_{layer.Name}Panels";

    /// <summary>
    /// Whether a dense layer can have panels on some machine: <c>DensePanels.Takes</c> wants 4 vectors of units,
    /// more than 12 with the narrowest (4-float) vectors. Narrower layers (a 10-class head) get no panels field.
    /// </summary>
    public static bool MayUsePanels(LayerPlan layer) => layer.Kind == LayerKind.Dense && Rules.KernelSupport.DensePanelsOnSomeMachine(layer.Output.Size);

    /// <summary>The guard that throws when a frozen network is asked to change its parameters.</summary>
    public static string Refuse(string what) => $"{Flag} ? throw FrozenError(\"{what}\") : ";

    public static void EmitFields(SourceWriter w, NetworkPlan plan)
    {
        w.Line($"private bool {Flag}; // set by Freeze: parameters read-only, dense weights arranged, convolution weights packed once");
        foreach (LayerPlan layer in PanelLayers(plan))
        {
            w.Line($"private {Code.Kernels}DensePanels.Packed? {PanelsField(layer)};");
        }

        foreach (LayerPlan layer in plan.Layers.Where(layer => layer.Fold is not null))
        {
            w.Line($"private float[]? {Conv2DLayer.FoldedField(layer)}; // {layer.Name}'s weight and bias with {layer.Fold!.Name} folded in, filled by Freeze");
        }
    }

    public static void EmitMembers(SourceWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>");
        w.Line("/// Makes this network inference-only, for the lowest one-sample latency: each dense layer's weight is");
        w.Line("/// arranged once into the panels <see cref=\"global::CnnGen.Runtime.Kernels.DensePanels\"/> reads as one stream");
        w.Line("/// (used by <see cref=\"Forward\"/> and batches of 1), and the convolutions' weights are packed once instead of");
        w.Line("/// on every forward call. The parameters are fixed from here on: spans over");
        w.Line("/// <see cref=\"Parameters\"/> obtained before no longer reach the network, and <see cref=\"Parameters\"/>,");
        w.Line("/// <see cref=\"ResetParameters\"/> and <see cref=\"IsTraining\"/> = true throw. To keep training, freeze a copy.");
        EmitFoldRemarks(w, plan);
        w.Line("/// Not while another call is in flight on this network (that throws <see cref=\"global::System.InvalidOperationException\"/>).");
        w.Line("/// </summary>");
        w.Open("public void Freeze()");
        w.Open($"if ({Flag})");
        w.Line("return;");
        w.Close();
        w.Line();
        ConcurrencyEmitter.EmitExclusive(w, "Freeze", FreezeStatements(plan));
        w.Close();
        w.Line();
        w.Line("/// <summary>Whether <see cref=\"Freeze\"/> has made this network inference-only.</summary>");
        w.Line($"public bool IsFrozen => {Flag};");
        w.Line();
        w.Open("private global::System.InvalidOperationException FrozenError(string what)");
        w.Line($"return new global::System.InvalidOperationException($\"{plan.ClassName} is frozen for inference (Freeze), its parameters fixed: {{what}} is refused. To keep training, freeze a copy (new {plan.ClassName}(), then Parameters.CopyTo).\");");
        w.Close();
        w.Line();
    }

    /// <summary>The fields <c>Freeze</c> fills, read-only from then on, so the siblings that serve concurrent calls share them.</summary>
    public static IEnumerable<string> FrozenFields(NetworkPlan plan) =>
        PanelLayers(plan).Select(PanelsField).Concat(plan.Layers.SelectMany(layer => LayerDefinitions.For(layer.Kind).FrozenFields(layer)));

    /// <summary>
    /// Which BatchNorm layers a frozen network folds into the convolution before them, and which keep running (their
    /// input is read by another layer too, or their output is the network's), with what the folded parameters are.
    /// </summary>
    private static void EmitFoldRemarks(SourceWriter w, NetworkPlan plan)
    {
        string[] folds = plan.Layers.Where(layer => layer.Fold is not null).Select(layer => $"{layer.Fold!.Name} into {layer.Name}").ToArray();
        string[] kept = plan.Layers.Where(layer => LayerDefinitions.For(layer.Kind).FoldIntoProducer(layer) is not null && !layer.FoldedIntoProducer).Select(layer => layer.Name).ToArray();
        if (folds.Length == 0 && kept.Length == 0)
        {
            return;
        }

        if (folds.Length > 0)
        {
            w.Line($"/// Each BatchNorm that directly follows a convolution whose output nothing else reads is folded into it, so no");
            w.Line($"/// normalization pass runs once frozen: W·γ/√(var + ε) and (b − mean)·γ/√(var + ε) + β, with the running statistics");
            w.Line($"/// and parameters as they are now ({string.Join(", ", folds)}); an activation after it runs inside the convolution.");
            w.Line("/// The folded weights are a copy: the parameters and <see cref=\"State\"/> keep the trained values.");
        }

        if (kept.Length > 0)
        {
            w.Line($"/// Still normalizing when frozen (their input has another reader, or their output is the network's): {string.Join(", ", kept)}.");
        }
    }

    private static IEnumerable<string> FreezeStatements(NetworkPlan plan)
    {
        bool compiled = plan.CompiledWeights.Count > 0;
        yield return compiled ? "_parameters = (float[]?)_parameters?.Clone();" : "_parameters = (float[])_parameters.Clone();";
        foreach (LayerPlan layer in PanelLayers(plan))
        {
            int inputs = layer.Input.Size, units = layer.Output.Size;
            yield return $"{PanelsField(layer)} = {Code.Kernels}DensePanels.Takes({Int(units)}) ? {Code.Kernels}DensePanels.Pack({Int(units)}, {Int(inputs)}, ParameterValues.Slice({Int(layer.WeightOffset)}, {Int(layer.WeightCount)})) : null;";
        }

        foreach (string statement in plan.Layers.SelectMany(layer => LayerDefinitions.For(layer.Kind).FreezeStatements(layer)))
        {
            yield return statement;
        }

        yield return "IsTraining = false;";
        yield return "_cachedBatchSize = 0;";
        yield return $"global::System.Threading.Volatile.Write(ref {Flag}, true); // last: a sibling that sees it set finds every field above filled";
    }

    private static IEnumerable<LayerPlan> PanelLayers(NetworkPlan plan) => plan.Layers.Where(MayUsePanels);
}
