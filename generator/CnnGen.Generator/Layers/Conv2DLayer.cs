using System.Collections.Generic;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Layers;

/// <summary><c>[Conv2D(filters, kernel)]</c> = <c>nn.Conv2d</c>: arguments, shape and parameters (its code: Conv2DLayer.Emit.cs).</summary>
internal sealed partial class Conv2DLayer : LayerDefinition
{
    public static readonly Conv2DLayer Instance = new();

    private Conv2DLayer()
        : base(LayerKind.Conv2D)
    {
    }

    public override string NamePrefix => "conv";

    /// <summary>Conv2D's backward reads its input (or the columns it kept), never its output.</summary>
    public override bool ActivationMayOverwriteOutput => true;

    /// <summary>A frozen convolution takes a BatchNorm after it into its weight and bias (<see cref="FreezeStatements"/>).</summary>
    public override bool TakesFoldedLayer => true;

    /// <summary>Any activation right after it runs on each sample's output while it is in cache (<see cref="LayerPlan.FusedActivation"/>).</summary>
    public override bool FusesActivation(LayerKind activation) => true;

    public override LayerSpec Read(LayerSpec spec, ArgumentValues arguments)
    {
        int kernel = arguments.Int("kernel", 0);
        return spec with
        {
            Channels = arguments.Int("filters", 0),
            KernelHeight = arguments.Int("kernelHeight", kernel),
            KernelWidth = arguments.Int("kernelWidth", kernel),
            Stride = arguments.Int("Stride", 1),
            StrideHeight = arguments.Int("StrideHeight", 0),
            StrideWidth = arguments.Int("StrideWidth", 0),
            Padding = arguments.Int("Padding", 0),
            PaddingMode = (PaddingModeSpec)arguments.Int("PaddingMode", 0),
            Dilation = arguments.Int("Dilation", 1),
            Bias = arguments.Bool("Bias", true),
        };
    }

    public override void CheckArguments(LayerSpec layer, LayerChecks checks)
    {
        checks.AtLeast("filters", layer.Channels, 1);
        if (layer.KernelHeight == layer.KernelWidth)
        {
            checks.AtLeast("kernel", layer.KernelHeight, 1);
        }
        else
        {
            checks.AtLeast("kernelHeight", layer.KernelHeight, 1);
            checks.AtLeast("kernelWidth", layer.KernelWidth, 1);
        }

        checks.AtLeast("Stride", layer.Stride, 1);
        checks.AtLeast("StrideHeight", layer.StrideHeight, 0, "it must be at least 1, or 0 to use Stride");
        checks.AtLeast("StrideWidth", layer.StrideWidth, 0, "it must be at least 1, or 0 to use Stride");
        checks.AtLeast("Padding", layer.Padding, 0, "it must be at least 0");
        checks.AtLeast("Dilation", layer.Dilation, 1);
        CheckPaddingMode(layer, checks);
    }

    private static void CheckPaddingMode(LayerSpec layer, LayerChecks checks)
    {
        if (layer.PaddingMode == PaddingModeSpec.Explicit)
        {
            return;
        }

        string mode = "PaddingMode." + layer.PaddingMode;
        if (layer.Padding != 0)
        {
            checks.Report(DiagnosticIds.ConflictingPadding, new[] { "Padding" }, layer.Name, $"Padding = {LayerChecks.Invariant(layer.Padding)} conflicts with {mode}", "remove one of them");
        }

        bool strided = layer.Stride != 1 || layer.StrideHeight > 1 || layer.StrideWidth > 1;
        if (layer.PaddingMode == PaddingModeSpec.Same && strided)
        {
            checks.Report(DiagnosticIds.ConflictingPadding, new[] { "PaddingMode" }, layer.Name, $"{mode} needs stride 1 (as in PyTorch)", "use an explicit Padding with strided convolutions");
        }
    }

    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks) =>
        WindowShape.Infer(layer, inputs[0], checks, isConvolution: true, outputChannels: layer.Channels);

    /// <summary><c>weight (C_out, C_in, KH, KW)</c>, <c>bias (C_out)</c> unless <c>Bias = false</c>; fan-in C_in·KH·KW.</summary>
    public override LayerParameters? Parameters(LayerSpec layer, LayerShape shape)
    {
        int patch = shape.Input.Channels * shape.Vertical.Kernel * shape.Horizontal.Kernel;
        return new LayerParameters(
            new[] { shape.Output.Channels, shape.Input.Channels, shape.Vertical.Kernel, shape.Horizontal.Kernel }.ToEquatableArray(),
            layer.Bias ? shape.Output.Channels : 0,
            patch);
    }
}
