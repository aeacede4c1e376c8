using System.Collections.Generic;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Layers;

/// <summary>
/// <c>[BatchNorm2D]</c> = <c>nn.BatchNorm2d</c> over x (N, C, H·W). Training: each channel normalized by the
/// batch's mean and biased variance, <c>y = γ·x̂ + β</c>, the running statistics moved by <c>Momentum</c> towards
/// the batch's mean and unbiased variance, <c>num_batches_tracked</c> + 1; the kernel keeps each channel's mean
/// and 1/σ for backward. Inference: the running statistics. Backward (training's batch statistics):
/// <c>dγ += Σ dy·x̂</c>, <c>dβ += Σ dy</c>, <c>dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂))</c>, x̂ recomputed from x.
/// </summary>
internal sealed class BatchNorm2DLayer : LayerDefinition
{
    public static readonly BatchNorm2DLayer Instance = new();

    private static readonly EquatableArray<string> StateNames = new[] { "running_mean", "running_var" }.ToEquatableArray();

    private static readonly EquatableArray<double> StateStart = new[] { 0.0, 1.0 }.ToEquatableArray();

    private BatchNorm2DLayer()
        : base(LayerKind.BatchNorm2D)
    {
    }

    public override string NamePrefix => "bn";

    /// <summary>Backward reads the input and the saved statistics, never the output.</summary>
    public override bool ActivationMayOverwriteOutput => true;

    /// <summary>
    /// At inference y = (x − mean)·γ/√(var + ε) + β per channel, which a frozen convolution before it takes into its
    /// weight and bias (<see cref="FoldStatement"/>), so that no normalization pass runs.
    /// </summary>
    public override BatchNormFold? FoldIntoProducer(LayerPlan layer) =>
        new(layer.Name, layer.WeightOffset, layer.BiasOffset, layer.StateOffset, layer.Input.Channels, layer.Epsilon);

    /// <summary>
    /// The statement of <c>Freeze</c> that writes the folded weight and bias of <paramref name="producer"/> (its
    /// PyTorch-layout weight, (C_out, …), and bias, or none) into <paramref name="folded"/>: W·s, then (b − mean)·s + β,
    /// s = γ/√(var + ε) from this BatchNorm's parameters and running statistics as they are when freezing.
    /// </summary>
    public static string FoldStatement(LayerPlan producer, string folded)
    {
        BatchNormFold fold = producer.Fold!;
        string bias = producer.BiasCount > 0 ? $"ParameterValues.Slice({Int(producer.BiasOffset)}, {Int(producer.BiasCount)})" : "default";
        return $"{Code.Kernels}BatchNormFold.Into(ParameterValues.Slice({Int(producer.WeightOffset)}, {Int(producer.WeightCount)}), {bias}, "
            + $"ParameterValues.Slice({Int(fold.WeightOffset)}, {Int(fold.Channels)}), ParameterValues.Slice({Int(fold.BiasOffset)}, {Int(fold.Channels)}), "
            + $"SpanOf(_state, {Int(fold.StateOffset)}, {Int(fold.Channels)}), SpanOf(_state, {Int(fold.StateOffset + fold.Channels)}, {Int(fold.Channels)}), {Float(fold.Epsilon)}, "
            + $"SpanOf({folded}, 0, {Int(producer.WeightCount)}), SpanOf({folded}, {Int(producer.WeightCount)}, {Int(fold.Channels)}));";
    }

    public override LayerSpec Read(LayerSpec spec, ArgumentValues arguments) => spec with
    {
        Epsilon = arguments.Double("Eps", 1e-5),
        Momentum = arguments.Double("Momentum", 0.1),
    };

    public override void CheckArguments(LayerSpec layer, LayerChecks checks)
    {
        if (!(layer.Epsilon > 0))
        {
            checks.Report(DiagnosticIds.ArgumentOutOfRange, new[] { "Eps" }, layer.Name, "Eps", LayerChecks.Invariant(layer.Epsilon), "it must be above 0");
        }

        if (!(layer.Momentum >= 0 && layer.Momentum <= 1))
        {
            checks.Report(DiagnosticIds.ArgumentOutOfRange, new[] { "Momentum" }, layer.Name, "Momentum", LayerChecks.Invariant(layer.Momentum), "it must be in [0, 1]");
        }
    }

    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks) =>
        checks.RequireImage(inputs[0]) ? new LayerShape(inputs[0], inputs[0]) : null;

    /// <summary><c>weight</c> γ (C) and <c>bias</c> β (C).</summary>
    public override LayerParameters? Parameters(LayerSpec layer, LayerShape shape) =>
        new(new[] { shape.Input.Channels }.ToEquatableArray(), shape.Input.Channels, FanIn: 0);

    /// <summary><c>running_mean</c> (C, from 0) and <c>running_var</c> (C, from 1), and <c>num_batches_tracked</c>.</summary>
    public override LayerState? State(LayerSpec layer, LayerShape shape) =>
        new(StateNames, StateStart, shape.Input.Channels, CountsBatches: true);

    /// <summary>PyTorch's <c>reset_parameters</c>: γ = 1, β = 0.</summary>
    public override string InitializeParameters(LayerPlan layer, string weight, string bias) => $"{weight}.Fill(1f); {bias}.Clear();";

    public override IEnumerable<LayerBuffer> Buffers(LayerPlan layer)
    {
        yield return new LayerBuffer(SavedField(layer), Rules.PackedSizes.BatchNormSavedStatistics(layer.Input.Channels), BufferLifetime.TrainingShared);
    }

    public override string Describe(LayerPlan layer) =>
        $"eps {Float(layer.Epsilon)}, momentum {Float(layer.Momentum)}; batch statistics while training, running statistics at inference"
        + (layer.FoldedIntoProducer ? " (in place; folded into the convolution before it once frozen)" : string.Empty);

    public override void EmitForward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        string geometry = Geometry(layer);
        w.Open(ForwardSignature(layer));
        w.Line($"{Code.ReadOnlySpan} weight = {Weight(layer)}, bias = {Bias(layer)};");
        w.Line($"{Code.Span} runningMean = {RunningMean(layer)}, runningVar = {RunningVar(layer)};");
        w.Open("if (_training)");
        w.Line($"{Code.Kernels}BatchNorm.ForwardTraining({context.ValueBatch(context.InputOf(layer))}, {context.ValueBatch(context.OutputOf(layer))}, {geometry}, weight, bias, runningMean, runningVar, {Float(layer.Momentum)}, {Float(layer.Epsilon)}, {SavedField(layer)});");
        w.Line($"_batchesTracked[{Int(layer.CounterIndex)}]++;");
        w.Close();
        w.Open("else");
        w.Line($"{Code.Kernels}BatchNorm.ForwardInference({context.ValueBatch(context.InputOf(layer))}, {context.ValueBatch(context.OutputOf(layer))}, {geometry}, weight, bias, runningMean, runningVar, {Float(layer.Epsilon)});");
        w.Close();
        w.Close();
        w.Line();
    }

    public override void EmitBackward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        string inputGradient = context.GradientBatch(context.InputGradientOf(layer));
        if (layer.ReadsNetworkInput)
        {
            inputGradient = $"_computeInputGradient ? {inputGradient} : default";
        }

        w.Open(BackwardSignature(layer));
        w.Line($"{Code.Kernels}BatchNorm.Backward({context.ValueBatch(context.InputOf(layer))}, {context.GradientBatch(context.OutputOf(layer))}, {inputGradient}, {Geometry(layer)}, {Weight(layer)}, {SavedField(layer)}, SpanOf(_gradients, {Int(layer.WeightOffset)}, {Int(layer.WeightCount)}), SpanOf(_gradients, {Int(layer.BiasOffset)}, {Int(layer.BiasCount)}));");
        w.Close();
        w.Line();
    }

    /// <summary>The runtime kernel's batch, channels and plane arguments.</summary>
    private static string Geometry(LayerPlan layer) => $"batchSize, {Int(layer.Input.Channels)}, {Int(layer.Input.PlaneSize)}";

    private static string Weight(LayerPlan layer) => $"ParameterValues.Slice({Int(layer.WeightOffset)}, {Int(layer.WeightCount)})";

    private static string Bias(LayerPlan layer) => $"ParameterValues.Slice({Int(layer.BiasOffset)}, {Int(layer.BiasCount)})";

    public static string RunningMean(LayerPlan layer) => $"SpanOf(_state, {Int(layer.StateOffset)}, {Int(layer.Input.Channels)})";

    public static string RunningVar(LayerPlan layer) => $"SpanOf(_state, {Int(layer.StateOffset + layer.Input.Channels)}, {Int(layer.Input.Channels)})";

    /// <summary><c>_bn1Saved</c>: each channel's batch mean, then 1/σ, from training's forward for backward.</summary>
    private static string SavedField(LayerPlan layer) => $"_{layer.Name}Saved";
}

/// <summary>
/// A BatchNorm2D that a frozen convolution takes into its weight and bias: the BatchNorm's name, where its γ and β
/// are in <c>Parameters</c> and its running mean and variance in <c>State</c>, its channels and ε.
/// </summary>
internal sealed record BatchNormFold(string Name, int WeightOffset, int BiasOffset, int StateOffset, int Channels, double Epsilon);
