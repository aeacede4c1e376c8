using System.Collections.Generic;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emit;

/// <summary>
/// Concurrent inference on one instance. Per-call state (the pass's batch and mode, the arenas, the caller's
/// tensors, the cached parallel bodies) lives in instance fields the layer code reads, so a call needs an instance
/// to itself: it takes the network when no other call is using it (<c>_busy</c>), else a <em>sibling</em> — an
/// instance of the same class made without constructors, that owns only arenas and delegates and reads the
/// owner's parameters (and, once the owner is frozen, its arranged and packed weights) — from a pool that only
/// grows, one sibling per overlapping caller at most, so warm calls allocate nothing. Training calls, Freeze,
/// ResetParameters and ResetState need the network to themselves: <c>_calls</c> counts inference calls in flight, and an
/// exclusive call adds <c>ExclusiveCall</c> to it only from 0, so either side of an overlap throws.
/// </summary>
internal static class ConcurrencyEmitter
{
    /// <summary>Emits the statements <paramref name="body"/> run with the network to themselves: any overlapping call throws.</summary>
    public static void EmitExclusive(SourceWriter w, string call, IEnumerable<string> body)
    {
        w.Line($"EnterExclusive(\"{call}\");");
        w.Open("try");
        foreach (string line in body)
        {
            w.Line(line);
        }

        w.Close();
        w.Open("finally");
        w.Line("ExitExclusive();");
        w.Close();
    }

    public static void EmitFields(SourceWriter w, NetworkPlan plan)
    {
        w.Line($"private {plan.ClassName}? _owner; // a sibling's: the network whose parameters it reads; null on the networks users make");
        w.Line("private int _busy; // 1 while a call runs on this instance's buffers");
        w.Line("private int _calls; // inference calls in flight on this network and its siblings, plus ExclusiveCall during an exclusive one");
        w.Line("private const int ExclusiveCall = 1 << 30;");
        w.Line($"private {plan.ClassName}[] _siblings = global::System.Array.Empty<{plan.ClassName}>(); // grows only, under compare-exchange");
    }

    /// <param name="arenaFields">Every buffer field, which a sibling starts empty and grows for itself.</param>
    public static void EmitMembers(SourceWriter w, NetworkPlan plan, IEnumerable<string> arenaFields)
    {
        string type = plan.ClassName;
        w.Line("/// <summary>An inference call: on this network if no other call is using it, else on a sibling that reads its parameters.</summary>");
        w.Open($"private void RunInference({Code.ReadOnlySpan} input, {Code.Span} output, int batchSize)");
        w.Open("if (global::System.Threading.Interlocked.Increment(ref _calls) >= ExclusiveCall)");
        w.Line("global::System.Threading.Interlocked.Decrement(ref _calls);");
        w.Line("throw OverlapError(\"an inference call\");");
        w.Close();
        w.Line();
        w.Line($"{type} network = global::System.Threading.Interlocked.CompareExchange(ref _busy, 1, 0) == 0 ? this : RentSibling();");
        w.Open("try");
        w.Line("network.RunForward(input, output, batchSize, training: false);");
        w.Close();
        w.Open("finally");
        w.Line("global::System.Threading.Volatile.Write(ref network._busy, 0);");
        w.Line("global::System.Threading.Interlocked.Decrement(ref _calls);");
        w.Close();
        w.Close();
        w.Line();
        w.Line("/// <summary>A free sibling, marked busy and up to date with this network; a new one if every sibling is busy.</summary>");
        w.Open($"private {type} RentSibling()");
        w.Open($"foreach ({type} sibling in global::System.Threading.Volatile.Read(ref _siblings))");
        w.Open("if (global::System.Threading.Interlocked.CompareExchange(ref sibling._busy, 1, 0) == 0)");
        w.Line("sibling.FollowOwner();");
        w.Line("return sibling;");
        w.Close();
        w.Close();
        w.Line();
        w.Line($"var added = ({type})global::System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof({type}));");
        w.Line("added._owner = this;");
        w.Line("added._busy = 1;");
        w.Line($"added._siblings = global::System.Array.Empty<{type}>();");
        foreach (string field in arenaFields)
        {
            w.Line($"added.{field} = global::System.Array.Empty<float>();");
        }

        w.Line("added.FollowOwner();");
        w.Line($"{type}[] siblings, grown;");
        w.Open("do");
        w.Line("siblings = global::System.Threading.Volatile.Read(ref _siblings);");
        w.Line($"grown = new {type}[siblings.Length + 1];");
        w.Line("siblings.CopyTo(grown, 0);");
        w.Line("grown[siblings.Length] = added;");
        w.Close(" while (global::System.Threading.Interlocked.CompareExchange(ref _siblings, grown, siblings) != siblings);");
        w.Line("return added;");
        w.Close();
        w.Line();
        w.Line("/// <summary>A sibling reads its owner's parameters as they are now and, once the owner is frozen, its arranged and packed weights.</summary>");
        w.Open("private void FollowOwner()");
        w.Line($"{type} owner = _owner!;");
        w.Line("_parameters = owner._parameters;");
        foreach (string field in StateEmitter.SharedWithSiblings)
        {
            w.Line($"{field} = owner.{field};");
        }

        w.Open($"if (!{FreezeEmitter.Flag} && global::System.Threading.Volatile.Read(ref owner.{FreezeEmitter.Flag}))");
        foreach (string field in FreezeEmitter.FrozenFields(plan))
        {
            w.Line($"{field} = owner.{field};");
        }

        w.Line($"{FreezeEmitter.Flag} = true;");
        w.Close();
        w.Close();
        w.Line();
        w.Open("private void EnterExclusive(string call)");
        w.Open("if (global::System.Threading.Interlocked.CompareExchange(ref _calls, ExclusiveCall, 0) != 0)");
        w.Line("throw OverlapError(call);");
        w.Close();
        w.Close();
        w.Line();
        w.Line("private void ExitExclusive() => global::System.Threading.Interlocked.Add(ref _calls, -ExclusiveCall);");
        w.Line();
        w.Open("private static global::System.InvalidOperationException OverlapError(string call)");
        w.Line($"return new global::System.InvalidOperationException($\"{type}: {{call}} was made while another call was in flight on this network. Inference (Forward, ForwardBatch with IsTraining = false) may run on any number of threads at once; training calls (ForwardBatch with IsTraining = true, BackwardBatch), Freeze, ResetParameters and ResetState need the network to themselves.\");");
        w.Close();
        w.Line();
    }
}
