using System.Collections.Generic;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Layers;

/// <summary><c>[MaxPool2D(size)]</c> and <c>[AvgPool2D(size)]</c>: arguments and shape (their code: PoolLayer.Emit.cs).</summary>
internal sealed partial class PoolLayer : LayerDefinition
{
    public static readonly PoolLayer Max = new(LayerKind.MaxPool2D);

    public static readonly PoolLayer Average = new(LayerKind.AvgPool2D);

    private PoolLayer(LayerKind kind)
        : base(kind)
    {
    }

    public override string NamePrefix => "pool";

    /// <summary>Pooling's backward reads its input (max: the arg-max is recomputed) or nothing (average).</summary>
    public override bool ActivationMayOverwriteOutput => true;

    public override LayerSpec Read(LayerSpec spec, ArgumentValues arguments) => spec with
    {
        KernelHeight = arguments.Int("size", 0),
        KernelWidth = arguments.Int("size", 0),
        Stride = arguments.Int("Stride", 0),
        Padding = arguments.Int("Padding", 0),
    };

    public override void CheckArguments(LayerSpec layer, LayerChecks checks)
    {
        checks.AtLeast("size", layer.KernelHeight, 1);
        checks.AtLeast("Stride", layer.Stride, 0, "it must be at least 1, or 0 for the window size");
        checks.AtLeast("Padding", layer.Padding, 0, "it must be at least 0");
        if (layer.Padding > layer.KernelHeight / 2 && layer.KernelHeight >= 1)
        {
            // PyTorch's rule: a window must always cover a real pixel.
            checks.Report(DiagnosticIds.ArgumentOutOfRange, new[] { "Padding" }, layer.Name, "Padding", LayerChecks.Invariant(layer.Padding), $"it must be at most half the window, {LayerChecks.Invariant(layer.KernelHeight / 2)}, as in PyTorch");
        }
    }

    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks) =>
        WindowShape.Infer(layer, inputs[0], checks, isConvolution: false, outputChannels: inputs[0].Channels);
}
