using System.Collections.Generic;
using System.Globalization;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Shapes;

/// <summary>
/// Checks a <see cref="NetworkSpec"/> and infers every layer's shape. Pure and Roslyn-free: the
/// generator (and any analyzer or tool) calls <see cref="Check"/> and turns the problems into
/// diagnostics. Every problem is collected, not just the first: after a bad layer, inference goes
/// on with PyTorch's floored size where one exists.
/// </summary>
internal sealed partial class ShapeInference
{
    private readonly NetworkSpec _network;
    private readonly List<ShapeProblem> _problems = new();

    private ShapeInference(NetworkSpec network) => _network = network;

    public static ShapeReport Check(NetworkSpec network)
    {
        var inference = new ShapeInference(network);
        int inputIndex = inference.CheckStructure();
        inference.CheckNames();
        bool[] argumentsValid = inference.CheckArguments();
        LayerShapeSlot[] shapes = inference.Propagate(inputIndex, argumentsValid);
        return new ShapeReport(shapes.ToEquatableArray(), inference._problems.ToEquatableArray());
    }

    private LayerShapeSlot[] Propagate(int inputIndex, bool[] argumentsValid)
    {
        var shapes = new LayerShapeSlot[_network.Layers.Count];
        for (int i = 0; i < shapes.Length; i++)
        {
            shapes[i] = new LayerShapeSlot(null);
        }

        if (inputIndex < 0 || !argumentsValid[inputIndex])
        {
            return shapes;
        }

        LayerSpec input = _network.Layers[inputIndex];
        TensorShape current = TensorShape.Image(input.Channels, input.Height, input.Width);
        shapes[inputIndex] = new LayerShapeSlot(new LayerShape(current, current));
        for (int i = inputIndex + 1; i < shapes.Length; i++)
        {
            LayerSpec layer = _network.Layers[i];
            if (layer.Kind == LayerKind.Input || !argumentsValid[i])
            {
                return shapes;
            }

            LayerShape? shape = InferLayer(i, layer, current);
            if (shape is null)
            {
                return shapes;
            }

            shapes[i] = new LayerShapeSlot(shape);
            current = shape.Output;
        }

        return shapes;
    }

    private LayerShape? InferLayer(int index, LayerSpec layer, TensorShape input)
    {
        switch (layer.Kind)
        {
            case LayerKind.Conv2D:
            case LayerKind.MaxPool2D:
            case LayerKind.AvgPool2D:
                return InferWindow(index, layer, input);
            case LayerKind.Dense:
                if (input.IsImage)
                {
                    Report(DiagnosticIds.DenseNeedsVector, index, new string[0], layer.Name, input.ToString(), Invariant(input.Size));
                    return null;
                }

                return new LayerShape(input, TensorShape.Vector(layer.Units));
            case LayerKind.Flatten:
                return new LayerShape(input, TensorShape.Vector(input.Size));
            default:
                // Dropout and activations keep the shape.
                return new LayerShape(input, input);
        }
    }

    private LayerShape? InferWindow(int index, LayerSpec layer, TensorShape input)
    {
        if (!input.IsImage)
        {
            string kind = layer.Kind.ToString();
            Report(DiagnosticIds.LayerNeedsImage, index, new string[0], layer.Name, kind, input.ToString());
            return null;
        }

        bool isConv = layer.Kind == LayerKind.Conv2D;
        AxisGeometry vertical = WindowAxis(layer, input.Height, layer.KernelHeight, ResolveStride(layer, layer.StrideHeight), isConv);
        AxisGeometry horizontal = WindowAxis(layer, input.Width, layer.KernelWidth, ResolveStride(layer, layer.StrideWidth), isConv);
        if (isConv && layer.PaddingMode == PaddingModeSpec.Same && (vertical.Stride != 1 || horizontal.Stride != 1))
        {
            return null; // reported by CheckArguments
        }

        bool fits = CheckAxes(index, layer, vertical, horizontal);
        if (!fits)
        {
            return null;
        }

        int channels = isConv ? layer.Channels : input.Channels;
        return new LayerShape(input, TensorShape.Image(channels, vertical.Output, horizontal.Output))
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

    private static AxisGeometry WindowAxis(LayerSpec layer, int input, int kernel, int stride, bool isConv)
    {
        if (!isConv)
        {
            return new AxisGeometry(input, kernel, stride, 0, 0, 1, IsPadded: false);
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
    private bool CheckAxes(int index, LayerSpec layer, AxisGeometry vertical, AxisGeometry horizontal)
    {
        if (vertical == horizontal)
        {
            return CheckAxis(index, layer, vertical, new AxisNames("height and width", "Height", "Width", "row and column", "rows and columns"));
        }

        bool verticalFits = CheckAxis(index, layer, vertical, new AxisNames("height", "Height", "Height", "row", "rows"));
        bool horizontalFits = CheckAxis(index, layer, horizontal, new AxisNames("width", "Width", "Width", "column", "columns"));
        return verticalFits && horizontalFits;
    }

    private bool CheckAxis(int index, LayerSpec layer, AxisGeometry axis, AxisNames names)
    {
        bool isConv = layer.Kind == LayerKind.Conv2D;
        string axisName = names.Text;
        string axisKey = names.Key;
        string[] kernelArguments = isConv
            ? Arguments("kernel" + names.Key, "kernel" + names.OtherKey, "kernel")
            : Arguments("size");
        if (axis.Output < 1)
        {
            string hint = isConv ? "use a smaller kernel or dilation, or more padding" : "use a smaller window";
            Report(DiagnosticIds.OutputBelowOne, index, kernelArguments, layer.Name, axisName, axis.Formula, Invariant(axis.Reach), Invariant(axis.Input + axis.PaddingBefore + axis.PaddingAfter), hint);
            return false;
        }

        if (axis.IsWhole)
        {
            return true;
        }

        if (isConv)
        {
            Report(DiagnosticIds.ConvOutputNotWhole, index, Arguments("Stride" + axisKey, "Stride", "Padding", "kernel" + axisKey, "kernel"), layer.Name, axisName, axis.Formula, WindowHints.ForConvolution(layer, axis));
            return true; // continue with PyTorch's floored size to find later problems
        }

        string dropped = axis.Dropped == 1 ? $"1 {names.Unit}" : $"{Invariant(axis.Dropped)} {names.Units}";
        string verb = axis.Dropped == 1 ? "is" : "are";
        Report(DiagnosticIds.PoolOutputNotWhole, index, Arguments("Stride", "size"), layer.Name, axisName, axis.Formula, Invariant(axis.Output), dropped, verb, WindowHints.ForPooling(axis, names));
        return true;
    }

    /// <summary>How an axis is named in messages (<c>width</c>), argument names (<c>Width</c>) and units (<c>column</c>).</summary>
    internal readonly record struct AxisNames(string Text, string Key, string OtherKey, string Unit, string Units);

    private static string[] Arguments(params string[] names) => names;

    private void Report(string id, int layerIndex, string[] arguments, params string[] messageArguments) =>
        _problems.Add(new ShapeProblem(id, layerIndex, arguments.ToEquatableArray(), messageArguments.ToEquatableArray()));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
