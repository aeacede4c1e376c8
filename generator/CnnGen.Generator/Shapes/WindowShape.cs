using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Shapes;

/// <summary>
/// The shape of a sliding-window layer (Conv2D, MaxPool2D, AvgPool2D): both axes' <see cref="AxisGeometry"/>,
/// checked — a size below 1 is an error, a remainder an error for convolutions and a warning for pooling.
/// </summary>
internal static class WindowShape
{
    public static LayerShape? Infer(LayerSpec layer, TensorShape input, LayerChecks checks, bool isConvolution, int outputChannels)
    {
        if (!checks.RequireImage(input))
        {
            return null;
        }

        AxisGeometry vertical = Axis(layer, input.Height, layer.KernelHeight, ResolveStride(layer, layer.StrideHeight), isConvolution);
        AxisGeometry horizontal = Axis(layer, input.Width, layer.KernelWidth, ResolveStride(layer, layer.StrideWidth), isConvolution);
        if (isConvolution && layer.PaddingMode == PaddingModeSpec.Same && (vertical.Stride != 1 || horizontal.Stride != 1))
        {
            return null; // reported by the argument checks
        }

        if (!CheckAxes(checks, isConvolution, vertical, horizontal))
        {
            return null;
        }

        return new LayerShape(input, TensorShape.Image(outputChannels, vertical.Output, horizontal.Output))
        {
            Vertical = vertical,
            Horizontal = horizontal,
        };
    }

    private static int ResolveStride(LayerSpec layer, int axisOverride)
    {
        if (axisOverride > 0)
        {
            return axisOverride;
        }

        return layer.Stride > 0 ? layer.Stride : layer.KernelHeight; // pooling: stride defaults to the window
    }

    private static AxisGeometry Axis(LayerSpec layer, int input, int kernel, int stride, bool isConvolution)
    {
        if (!isConvolution)
        {
            return new AxisGeometry(input, kernel, stride, layer.Padding, layer.Padding, 1, IsPadded: layer.Padding > 0);
        }

        int before = layer.Padding, after = layer.Padding;
        if (layer.PaddingMode == PaddingModeSpec.Valid)
        {
            before = after = 0;
        }
        else if (layer.PaddingMode == PaddingModeSpec.Same)
        {
            // PyTorch's padding="same": total D·(F − 1), the odd pixel after.
            int total = layer.Dilation * (kernel - 1);
            before = total / 2;
            after = total - before;
        }

        return new AxisGeometry(input, kernel, stride, before, after, layer.Dilation, IsPadded: true);
    }

    /// <summary>Reports size problems on both axes, merging them when the numbers are identical.</summary>
    private static bool CheckAxes(LayerChecks checks, bool isConvolution, AxisGeometry vertical, AxisGeometry horizontal)
    {
        if (vertical == horizontal)
        {
            return CheckAxis(checks, isConvolution, vertical, new AxisNames("height and width", "Height", "Width", "row and column", "rows and columns"));
        }

        bool verticalFits = CheckAxis(checks, isConvolution, vertical, new AxisNames("height", "Height", "Height", "row", "rows"));
        bool horizontalFits = CheckAxis(checks, isConvolution, horizontal, new AxisNames("width", "Width", "Width", "column", "columns"));
        return verticalFits && horizontalFits;
    }

    private static bool CheckAxis(LayerChecks checks, bool isConvolution, AxisGeometry axis, AxisNames names)
    {
        LayerSpec layer = checks.Layer;
        string[] kernelArguments = isConvolution
            ? new[] { "kernel" + names.Key, "kernel" + names.OtherKey, "kernel" }
            : new[] { "size" };
        if (axis.Output < 1)
        {
            string hint = isConvolution ? "use a smaller kernel or dilation, or more padding" : "use a smaller window";
            checks.Report(DiagnosticIds.OutputBelowOne, kernelArguments, layer.Name, names.Text, axis.Formula, LayerChecks.Invariant(axis.Reach), LayerChecks.Invariant(axis.Input + axis.PaddingBefore + axis.PaddingAfter), hint);
            return false;
        }

        if (axis.IsWhole || axis.FloorsLosslessly)
        {
            return true; // a floored size that drops only padding or an inter-window gap is PyTorch's, silently
        }

        if (isConvolution)
        {
            checks.Report(DiagnosticIds.ConvOutputNotWhole, new[] { "Stride" + names.Key, "Stride", "Padding", "kernel" + names.Key, "kernel" }, layer.Name, names.Text, axis.Formula, WindowHints.ForConvolution(layer, axis));
            return true; // continue with PyTorch's floored size to find later problems
        }

        string dropped = axis.Dropped == 1 ? $"1 {names.Unit}" : $"{LayerChecks.Invariant(axis.Dropped)} {names.Units}";
        string verb = axis.Dropped == 1 ? "is" : "are";
        checks.Report(DiagnosticIds.PoolOutputNotWhole, new[] { "Stride", "size" }, layer.Name, names.Text, axis.Formula, LayerChecks.Invariant(axis.Output), dropped, verb, WindowHints.ForPooling(axis, names));
        return true;
    }
}

/// <summary>How an axis is named in messages (<c>width</c>), argument names (<c>Width</c>) and units (<c>column</c>).</summary>
internal readonly record struct AxisNames(string Text, string Key, string OtherKey, string Unit, string Units);
