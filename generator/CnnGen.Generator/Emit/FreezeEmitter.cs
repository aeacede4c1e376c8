using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Emit;

/// <summary>
/// <c>Freeze()</c>: turns a network into an inference-only one whose dense weights are arranged once for
/// one-sample latency (<c>DensePanels</c>) and whose convolutions' packed weights are made once, not per call.
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
        PanelLayers(plan).Select(PanelsField).Concat(PackedLayers(plan).Select(Conv2DLayer.PackedWeightsField));

    private static IEnumerable<string> FreezeStatements(NetworkPlan plan)
    {
        bool compiled = plan.CompiledWeights.Count > 0;
        yield return compiled ? "_parameters = (float[]?)_parameters?.Clone();" : "_parameters = (float[])_parameters.Clone();";
        foreach (LayerPlan layer in PanelLayers(plan))
        {
            int inputs = layer.Input.Size, units = layer.Output.Size;
            yield return $"{PanelsField(layer)} = {Code.Kernels}DensePanels.Takes({Int(units)}) ? {Code.Kernels}DensePanels.Pack({Int(units)}, {Int(inputs)}, ParameterValues.Slice({Int(layer.WeightOffset)}, {Int(layer.WeightCount)})) : null;";
        }

        foreach (LayerPlan layer in PackedLayers(plan))
        {
            (string grow, string pack) = Conv2DLayer.InferencePacking(layer)!.Value;
            yield return $"// {layer.Name}: packed here once instead of on every forward call";
            yield return grow;
            yield return pack;
        }

        yield return "IsTraining = false;";
        yield return "_cachedBatchSize = 0;";
        yield return $"global::System.Threading.Volatile.Write(ref {Flag}, true); // last: a sibling that sees it set finds every field above filled";
    }

    private static IEnumerable<LayerPlan> PanelLayers(NetworkPlan plan) => plan.Layers.Where(MayUsePanels);

    private static IEnumerable<LayerPlan> PackedLayers(NetworkPlan plan) => plan.Layers.Where(layer => Conv2DLayer.InferencePacking(layer) is not null);
}
