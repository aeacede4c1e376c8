using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Shapes;

/// <summary>Range checks on each layer's arguments (filters ≥ 1, padding ≥ 0, 0 ≤ p &lt; 1, ...).</summary>
internal sealed partial class ShapeInference
{
    private const string AtLeastOne = "it must be at least 1";

    /// <summary>Returns, per layer, whether its arguments are usable for shape inference.</summary>
    private bool[] CheckArguments()
    {
        var valid = new bool[_network.Layers.Count];
        for (int i = 0; i < valid.Length; i++)
        {
            int before = _problems.Count;
            CheckLayerArguments(i, _network.Layers[i]);
            valid[i] = _problems.Count == before;
        }

        return valid;
    }

    private void CheckLayerArguments(int index, LayerSpec layer)
    {
        switch (layer.Kind)
        {
            case LayerKind.Input:
                AtLeast(index, layer, "channels", layer.Channels, 1, AtLeastOne);
                AtLeast(index, layer, "height", layer.Height, 1, AtLeastOne);
                AtLeast(index, layer, "width", layer.Width, 1, AtLeastOne);
                break;
            case LayerKind.Conv2D:
                AtLeast(index, layer, "filters", layer.Channels, 1, AtLeastOne);
                CheckKernel(index, layer);
                AtLeast(index, layer, "Stride", layer.Stride, 1, AtLeastOne);
                AtLeast(index, layer, "StrideHeight", layer.StrideHeight, 0, "it must be at least 1, or 0 to use Stride");
                AtLeast(index, layer, "StrideWidth", layer.StrideWidth, 0, "it must be at least 1, or 0 to use Stride");
                AtLeast(index, layer, "Padding", layer.Padding, 0, "it must be at least 0");
                AtLeast(index, layer, "Dilation", layer.Dilation, 1, AtLeastOne);
                CheckPaddingMode(index, layer);
                break;
            case LayerKind.MaxPool2D:
            case LayerKind.AvgPool2D:
                AtLeast(index, layer, "size", layer.KernelHeight, 1, AtLeastOne);
                AtLeast(index, layer, "Stride", layer.Stride, 0, "it must be at least 1, or 0 for the window size");
                break;
            case LayerKind.Dense:
                AtLeast(index, layer, "units", layer.Units, 1, AtLeastOne);
                break;
            case LayerKind.Dropout:
                if (!(layer.Probability >= 0 && layer.Probability < 1))
                {
                    Report(DiagnosticIds.ArgumentOutOfRange, index, new[] { "probability" }, layer.Name, "probability", Invariant(layer.Probability), "it must be in [0, 1)");
                }

                break;
        }
    }

    private void CheckKernel(int index, LayerSpec layer)
    {
        if (layer.KernelHeight == layer.KernelWidth)
        {
            AtLeast(index, layer, "kernel", layer.KernelHeight, 1, AtLeastOne);
            return;
        }

        AtLeast(index, layer, "kernelHeight", layer.KernelHeight, 1, AtLeastOne);
        AtLeast(index, layer, "kernelWidth", layer.KernelWidth, 1, AtLeastOne);
    }

    private void CheckPaddingMode(int index, LayerSpec layer)
    {
        if (layer.PaddingMode == PaddingModeSpec.Explicit)
        {
            return;
        }

        string mode = "PaddingMode." + layer.PaddingMode;
        if (layer.Padding != 0)
        {
            Report(DiagnosticIds.ConflictingPadding, index, new[] { "Padding" }, layer.Name, $"Padding = {Invariant(layer.Padding)} conflicts with {mode}", "remove one of them");
        }

        bool strided = layer.Stride != 1 || layer.StrideHeight > 1 || layer.StrideWidth > 1;
        if (layer.PaddingMode == PaddingModeSpec.Same && strided)
        {
            Report(DiagnosticIds.ConflictingPadding, index, new[] { "PaddingMode" }, layer.Name, $"{mode} needs stride 1 (as in PyTorch)", "use an explicit Padding with strided convolutions");
        }
    }

    private void AtLeast(int index, LayerSpec layer, string argument, int value, int minimum, string requirement)
    {
        if (value < minimum)
        {
            Report(DiagnosticIds.ArgumentOutOfRange, index, new[] { argument }, layer.Name, argument, Invariant(value), requirement);
        }
    }
}
