using System.Globalization;
using System.Linq;
using CnnGen.Generator.Planning;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Emit;

/// <summary>
/// The network's non-trainable state, beside the trainable <c>Parameters</c>: <c>State</c> (BatchNorm's running
/// means and variances, <c>state_dict</c> order), <c>StateTensors</c> (their names, offsets, shapes) and
/// <c>BatchesTracked</c> (each BatchNorm's <c>num_batches_tracked</c>, a 64-bit count). Empty for networks
/// without such layers, so every network has the same contract.
/// </summary>
internal static class StateEmitter
{
    public static void EmitMembers(SourceWriter w, NetworkPlan plan)
    {
        string[] counters = plan.CounterNames().ToArray();
        w.Line("/// <summary>Floats of non-trainable state, the length of <see cref=\"State\"/>.</summary>");
        w.Line($"public const int StateCount = {Int(plan.StateCount)};");
        w.Line();
        if (HasCompiledState(plan))
        {
            w.Line("private float[] _state = CompiledState.ToArray(); // from the weights file; a sibling serving a concurrent call shares its owner's");
            w.Line($"private long[] _batchesTracked = new long[] {{ {string.Join(", ", plan.CompiledCounters.Select(count => count.ToString(CultureInfo.InvariantCulture) + "L"))} }};");
        }
        else
        {
            w.Line("private float[] _state = CreateState(); // a sibling serving a concurrent call shares its owner's");
            w.Line($"private long[] _batchesTracked = new long[{Int(counters.Length)}];");
        }

        w.Line();
        w.Line("/// <summary>Non-trainable state (BatchNorm running statistics) in <c>state_dict</c> order; not in <see cref=\"Parameters\"/>.</summary>");
        w.Line($"public global::System.Span<float> State => {FreezeEmitter.Refuse("State (a writable span)")}_state;");
        w.Line();
        w.Line("/// <summary>PyTorch <c>state_dict</c> names, offsets and shapes of the tensors in <see cref=\"State\"/>.</summary>");
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<{Code.Runtime}ParameterTensor> StateTensors {{ get; }} = new {Code.Runtime}ParameterTensor[]");
        w.Line("{");
        foreach (ParameterTensorPlan tensor in plan.StateTensors())
        {
            w.Line($"    new(\"{tensor.Name}\", {Int(tensor.Offset)}, {Int(tensor.Length)}, new[] {{ {string.Join(", ", tensor.Shape.Select(Int))} }}),");
        }

        w.Line("};");
        w.Line();
        w.Line("/// <summary>Each BatchNorm's <c>num_batches_tracked</c>: training-mode batches it has normalized.</summary>");
        w.Line("public global::System.Span<long> BatchesTracked => _batchesTracked;");
        w.Line();
        w.Line("/// <summary>The <c>state_dict</c> names of <see cref=\"BatchesTracked\"/>, in its order.</summary>");
        string names = counters.Length == 0 ? "global::System.Array.Empty<string>()" : $"new string[] {{ {string.Join(", ", counters.Select(name => $"\"{name}\""))} }}";
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<string> BatchesTrackedNames {{ get; }} = {names};");
        w.Line();
        w.Line($"global::System.Span<float> {Code.Runtime}INetwork.State => State;");
        w.Line($"global::System.Collections.Generic.IReadOnlyList<{Code.Runtime}ParameterTensor> {Code.Runtime}INetwork.StateTensors => StateTensors;");
        w.Line($"global::System.Span<long> {Code.Runtime}INetwork.BatchesTracked => BatchesTracked;");
        w.Line($"global::System.Collections.Generic.IReadOnlyList<string> {Code.Runtime}INetwork.BatchesTrackedNames => BatchesTrackedNames;");
        w.Line();
        w.Line("/// <summary>The state PyTorch starts from: running means 0, running variances 1.</summary>");
        w.Open("private static float[] CreateState()");
        w.Line("var state = new float[StateCount];");
        foreach (LayerPlan layer in plan.Layers.Where(layer => layer.State is not null))
        {
            for (int t = 0; t < layer.State!.Suffixes.Count; t++)
            {
                double initial = layer.State.Initial[t];
                if (initial != 0)
                {
                    w.Line($"SpanOf(state, {Int(layer.StateOffset + (t * layer.State.Length))}, {Int(layer.State.Length)}).Fill({Float(initial)}); // {layer.Name}.{layer.State.Suffixes[t]}");
                }
            }
        }

        w.Line("return state;");
        w.Close();
        w.Line();
        if (HasCompiledState(plan))
        {
            NetworkEmitter.EmitReadOnlyFloats(w, "The initial running statistics compiled in from the weights file.", "CompiledState", plan.CompiledState);
        }
    }

    /// <summary><c>ResetState</c>: what <c>ResetParameters</c> does to the state, without touching the parameters.</summary>
    public static void EmitResetState(SourceWriter w)
    {
        w.Line("/// <summary>Sets <see cref=\"State\"/> and <see cref=\"BatchesTracked\"/> to PyTorch's initial values (running means 0, variances 1, counts 0), as <see cref=\"ResetParameters\"/> leaves them; the parameters stay. Not while another call is in flight.</summary>");
        w.Open("public void ResetState()");
        ConcurrencyEmitter.EmitExclusive(w, "ResetState", new[] { $"CreateState().CopyTo({FreezeEmitter.Refuse("ResetState")}_state, 0); global::System.Array.Clear(_batchesTracked);" });
        w.Close();
        w.Line();
    }

    // Compiled-in weights of a network with state carry its state too (WeightsCheck requires it).
    private static bool HasCompiledState(NetworkPlan plan) => plan.CompiledState.Count + plan.CompiledCounters.Count > 0;

    /// <summary>The fields a sibling (see <see cref="ConcurrencyEmitter"/>) takes from its owner: inference reads the running statistics.</summary>
    public static readonly string[] SharedWithSiblings = { "_state", "_batchesTracked" };

    /// <summary>What <c>ResetParameters</c> does to the state too, as PyTorch's <c>reset_parameters</c> resets the running statistics.</summary>
    public static string ResetStatement => "CreateState().CopyTo(_state, 0); global::System.Array.Clear(_batchesTracked);";
}
