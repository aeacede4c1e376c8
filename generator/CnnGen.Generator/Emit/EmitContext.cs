using System.Collections.Generic;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emit;

/// <summary>How long a layer's private buffer lives, which decides how big it is.</summary>
internal enum BufferLifetime
{
    /// <summary>Kept per sample while training (backward reads it); one per worker thread at inference.</summary>
    CachedForBackward,

    /// <summary>Per sample, training only (dropout masks).</summary>
    TrainingBatch,

    /// <summary>One per worker thread, used inside backward only.</summary>
    BackwardScratch,

    /// <summary>One per worker thread but the first, which writes straight into <c>Gradients</c>.</summary>
    WorkerGradient,
}

/// <summary>A private buffer a layer needs besides its input and output tensors.</summary>
internal sealed record LayerBuffer(string Field, int SampleSize, BufferLifetime Lifetime);

/// <summary>What an emitter may ask about the rest of the network.</summary>
internal sealed class EmitContext
{
    private readonly NetworkPlan _plan;

    public EmitContext(NetworkPlan plan) => _plan = plan;

    public NetworkPlan Plan => _plan;

    public TensorPlan InputOf(LayerPlan layer) => _plan.Tensors[layer.InputTensor];

    public TensorPlan OutputOf(LayerPlan layer) => _plan.Tensors[layer.OutputTensor];

    /// <summary><c>SpanOf(_conv1Output, n * 25088, 25088)</c>: one sample of a tensor.</summary>
    public static string Sample(string field, int size) =>
        $"SpanOf({field}, n * {SourceWriter.Int(size)}, {SourceWriter.Int(size)})";

    /// <summary><c>SpanOf(_conv1Output, 0, batchSize * 25088)</c>: the whole batch of a tensor.</summary>
    public static string Batch(string field, int size) =>
        $"SpanOf({field}, 0, batchSize * {SourceWriter.Int(size)})";

    public static IEnumerable<LayerBuffer> NoBuffers => System.Array.Empty<LayerBuffer>();
}
