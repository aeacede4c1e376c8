using System.Collections.Generic;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emit;

/// <summary>
/// Emits one layer kind's forward and backward methods side by side (llm.c style):
/// <c>{Name}Forward(int batchSize)</c> and <c>{Name}Backward(int batchSize)</c>. They read the mode
/// from <c>_training</c>, and the layer that reads the network input computes its input gradient
/// only when <c>_computeInputGradient</c> is set. Per-sample work runs through
/// <c>Parallelism.For</c> with a delegate cached in a field named by <see cref="ParallelBodies"/>.
/// </summary>
internal abstract class LayerEmitter
{
    /// <summary>Private buffers beyond the input and output tensors.</summary>
    public virtual IEnumerable<LayerBuffer> Buffers(LayerPlan layer) => EmitContext.NoBuffers;

    /// <summary>Fields caching the per-sample delegates this layer hands to <c>Parallelism.For</c>.</summary>
    public virtual IEnumerable<string> ParallelBodies(LayerPlan layer) => System.Array.Empty<string>();

    /// <summary>What <c>Freeze</c> does for this layer, as statements (weights packed or folded once); none by default.</summary>
    public virtual IEnumerable<string> FreezeStatements(LayerPlan layer) => System.Array.Empty<string>();

    /// <summary>The fields those statements fill, read-only once frozen, which the siblings serving concurrent calls share.</summary>
    public virtual IEnumerable<string> FrozenFields(LayerPlan layer) => System.Array.Empty<string>();

    /// <summary>One line that says what the layer does, after its shape comment.</summary>
    public abstract string Describe(LayerPlan layer);

    public abstract void EmitForward(SourceWriter writer, LayerPlan layer, EmitContext context);

    public abstract void EmitBackward(SourceWriter writer, LayerPlan layer, EmitContext context);

    protected static string BackwardSignature(LayerPlan layer) => $"private void {layer.MethodName}Backward(int batchSize)";

    protected static string ForwardSignature(LayerPlan layer) => $"private void {layer.MethodName}Forward(int batchSize)";

    /// <summary>Opens <c>if (_computeInputGradient)</c> around input-gradient code of the first layer; returns whether it did.</summary>
    protected static bool OpenInputGradientGuard(SourceWriter writer, LayerPlan layer)
    {
        if (!layer.ReadsNetworkInput)
        {
            return false;
        }

        writer.Open("if (_computeInputGradient)");
        return true;
    }

    /// <summary>
    /// <c>Parallelism.For(batchSize, _workers, _conv1ForwardSamples ??= Conv1ForwardSamples)</c>:
    /// at most as many workers as the per-worker buffers were sized for.
    /// </summary>
    protected static string ParallelFor(string body) =>
        $"{Code.Runtime}Parallelism.For(batchSize, _workers, _{char.ToLowerInvariant(body[0])}{body.Substring(1)} ??= {body})";
}
