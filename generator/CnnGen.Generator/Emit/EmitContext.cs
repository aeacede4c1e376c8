using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emit;

/// <summary>What an emitter may ask about the rest of the network.</summary>
internal sealed class EmitContext
{
    private readonly NetworkPlan _plan;
    private readonly int _callerInput = -1, _callerOutput = -1;

    public EmitContext(NetworkPlan plan) => _plan = plan;

    private EmitContext(NetworkPlan plan, int callerInput, int callerOutput)
        : this(plan)
    {
        _callerInput = callerInput;
        _callerOutput = callerOutput;
    }

    public NetworkPlan Plan => _plan;

    /// <summary>Whether forward code reads the network's input through <see cref="CallerTensors"/>.</summary>
    public bool ReadsCallerInput => _callerInput >= 0;

    /// <summary>Whether forward code writes the network's output through <see cref="CallerTensors"/>.</summary>
    public bool WritesCallerOutput => _callerOutput >= 0;

    /// <summary>
    /// The context for forward code, which reaches the network's input and output tensors through
    /// <see cref="CallerTensors"/> (the caller's spans at inference; their <c>_activations</c> places in
    /// training). The input stays in <c>_activations</c> if a layer writes it in place; the output too if no
    /// layer computes it (a network of Flatten alone).
    /// </summary>
    public EmitContext ForForward()
    {
        int output = _plan.OutputTensor;
        bool inputWritten = output == 0 || _plan.Layers.Any(layer => layer.HasOwnCode && layer.OutputTensor == 0);
        return new EmitContext(_plan, inputWritten ? -1 : 0, output == 0 ? -1 : output);
    }

    /// <summary>The field forward code reads the caller's tensors from while <c>CallerTensors.Run</c> runs.</summary>
    public const string CallerTensors = "_callerTensors";

    public TensorPlan InputOf(LayerPlan layer) => _plan.Tensors[layer.InputTensor];

    /// <summary>Operand <paramref name="operand"/> of a layer that reads several tensors (Add, Concat).</summary>
    public TensorPlan InputOf(LayerPlan layer, int operand) => _plan.Tensors[layer.InputTensors[operand]];

    /// <summary>
    /// Where backward writes the gradient of an operand: the operand's own gradient, or this reader's share of
    /// it when another reader wrote it first (<see cref="LayerPlan.GradientTargets"/>; the share is added after).
    /// </summary>
    public TensorPlan InputGradientOf(LayerPlan layer, int operand = 0) => _plan.Tensors[layer.GradientTargets[operand]];

    public TensorPlan OutputOf(LayerPlan layer) => _plan.Tensors[layer.OutputTensor];

    /// <summary>
    /// Where a tensor's batch starts in <c>_activations</c>: its per-sample offset times the batch,
    /// which differs between inference (shared memory) and training (every activation kept).
    /// </summary>
    public string ValueStart(TensorPlan tensor)
    {
        int inference = _plan.Memory.InferenceOffsets[tensor.Id], training = _plan.Memory.TrainingOffsets[tensor.Id];
        return inference == training
            ? Scaled(inference)
            : $"(_training ? {SourceWriter.Int(training)} : {SourceWriter.Int(inference)}) * _batch";
    }

    /// <summary>Where a tensor's gradient batch starts in <c>_activationGradients</c>.</summary>
    public string GradientStart(TensorPlan tensor) => Scaled(_plan.Memory.GradientOffsets[tensor.Id]);

    /// <summary><c>SpanOf(_activations, 784 * _batch + n * 6272, 6272)</c>: sample n of a tensor.</summary>
    public string ValueSample(TensorPlan tensor) =>
        Caller(tensor) is { } caller ? $"{caller}(n * {SourceWriter.Int(tensor.Size)}, {SourceWriter.Int(tensor.Size)})" : Slice(Activations, ValueStart(tensor), "n * ", tensor.Size);

    public string GradientSample(TensorPlan tensor) => Slice(ActivationGradients, GradientStart(tensor), "n * ", tensor.Size);

    /// <summary><c>SpanOf(_activationGradients, 784 * _batch + first * 6272, count * 6272)</c>: samples [first, first + count) of a tensor's gradient.</summary>
    public string GradientSamples(TensorPlan tensor, string first, string count) => Samples(ActivationGradients, GradientStart(tensor), first, count, tensor.Size);

    /// <summary><c>SpanOf(_conv1BorderedInputs, first * 25088, count * 25088)</c>: samples [first, first + count) of a per-sample field.</summary>
    public static string Samples(string field, string first, string count, int size) => Samples(field, "0", first, count, size);

    private static string Samples(string array, string start, string first, string count, int size)
    {
        string at = start == "0" ? $"{first} * {SourceWriter.Int(size)}" : $"{start} + {first} * {SourceWriter.Int(size)}";
        return $"SpanOf({array}, {at}, {count} * {SourceWriter.Int(size)})";
    }

    /// <summary>Floats [offset, offset + length) of sample n of a tensor: one operand's channels in a concatenation.</summary>
    public string ValueSamplePart(TensorPlan tensor, int offset, int length) =>
        Caller(tensor) is { } caller
            ? $"{caller}(n * {SourceWriter.Int(tensor.Size)} + {SourceWriter.Int(offset)}, {SourceWriter.Int(length)})"
            : Part(Activations, ValueStart(tensor), tensor.Size, offset, length);

    public string GradientSamplePart(TensorPlan tensor, int offset, int length) =>
        Part(ActivationGradients, GradientStart(tensor), tensor.Size, offset, length);

    private static string Part(string array, string start, int size, int offset, int length)
    {
        string sample = $"n * {SourceWriter.Int(size)}" + (offset == 0 ? string.Empty : $" + {SourceWriter.Int(offset)}");
        return $"SpanOf({array}, {(start == "0" ? sample : $"{start} + {sample}")}, {SourceWriter.Int(length)})";
    }

    /// <summary><c>SpanOf(_activations, 784 * _batch, batchSize * 6272)</c>: the whole batch of a tensor.</summary>
    public string ValueBatch(TensorPlan tensor) =>
        Caller(tensor) is { } caller
            ? $"{caller}(0, batchSize * {SourceWriter.Int(tensor.Size)})"
            : $"SpanOf({Activations}, {ValueStart(tensor)}, batchSize * {SourceWriter.Int(tensor.Size)})";

    public string GradientBatch(TensorPlan tensor) => $"SpanOf({ActivationGradients}, {GradientStart(tensor)}, batchSize * {SourceWriter.Int(tensor.Size)})";

    /// <summary><c>SpanOf(_activations, 784 * _batch + start * 6272, (end - start) * 6272)</c>: samples start..end of a tensor.</summary>
    public string ValueRange(TensorPlan tensor) =>
        Caller(tensor) is { } caller
            ? $"{caller}(start * {SourceWriter.Int(tensor.Size)}, (end - start) * {SourceWriter.Int(tensor.Size)})"
            : Range(Activations, ValueStart(tensor), tensor.Size);

    public string GradientRange(TensorPlan tensor) => Range(ActivationGradients, GradientStart(tensor), tensor.Size);

    public const string Activations = "_activations";
    public const string ActivationGradients = "_activationGradients";

    /// <summary><c>_callerTensors.Input</c> or <c>.Output</c> if forward code reaches this tensor through the caller's span.</summary>
    private string? Caller(TensorPlan tensor) =>
        tensor.Id == _callerInput ? $"{CallerTensors}.Input" : tensor.Id == _callerOutput ? $"{CallerTensors}.Output" : null;

    private static string Scaled(int offset) => offset == 0 ? "0" : $"{SourceWriter.Int(offset)} * _batch";

    private static string Slice(string array, string start, string sampleTerm, int size)
    {
        string at = start == "0" ? $"{sampleTerm}{SourceWriter.Int(size)}" : $"{start} + {sampleTerm}{SourceWriter.Int(size)}";
        return $"SpanOf({array}, {at}, {SourceWriter.Int(size)})";
    }

    private static string Range(string array, string start, int size)
    {
        string first = start == "0" ? $"start * {SourceWriter.Int(size)}" : $"{start} + start * {SourceWriter.Int(size)}";
        return $"SpanOf({array}, {first}, (end - start) * {SourceWriter.Int(size)})";
    }

    /// <summary><c>SpanOf(_conv1Output, n * 25088, 25088)</c>: one sample of a tensor.</summary>
    public static string Sample(string field, int size) =>
        $"SpanOf({field}, n * {SourceWriter.Int(size)}, {SourceWriter.Int(size)})";

    /// <summary><c>SpanOf(_conv1Output, 0, batchSize * 25088)</c>: the whole batch of a tensor.</summary>
    public static string Batch(string field, int size) =>
        $"SpanOf({field}, 0, batchSize * {SourceWriter.Int(size)})";

    public static IEnumerable<LayerBuffer> NoBuffers => System.Array.Empty<LayerBuffer>();
}
