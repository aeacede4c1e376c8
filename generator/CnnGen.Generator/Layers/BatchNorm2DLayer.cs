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
        $"eps {Float(layer.Epsilon)}, momentum {Float(layer.Momentum)}; batch statistics while training, running statistics at inference";

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
