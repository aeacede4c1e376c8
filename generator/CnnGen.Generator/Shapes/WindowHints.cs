using System.Collections.Generic;
using System.Globalization;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Shapes;

/// <summary>Finds the nearest settings that make a window's output size whole, for diagnostic hints.</summary>
internal static class WindowHints
{
    /// <summary>Up to two fixes, preferring padding, then stride, then kernel: <c>Stride = 1 or a kernel of 4</c>.</summary>
    public static string ForConvolution(LayerSpec layer, AxisGeometry axis)
    {
        var fixes = new List<string>(3);
        if (layer.PaddingMode == PaddingModeSpec.Explicit && NearestPadding(axis) is int padding)
        {
            fixes.Add("Padding = " + Invariant(padding));
        }

        if (LargestStride(axis) is int stride)
        {
            fixes.Add("Stride = " + Invariant(stride));
        }

        if (fixes.Count < 2 && NearestKernel(axis) is int kernel)
        {
            fixes.Add("a kernel of " + Invariant(kernel));
        }

        return fixes.Count == 1 ? fixes[0] : fixes[0] + " or " + fixes[1];
    }

    /// <summary><c>an input width of 6 or 8 would use every column</c>.</summary>
    public static string ForPooling(AxisGeometry axis, AxisNames names)
    {
        int smaller = axis.Input - axis.Dropped;
        int larger = smaller + axis.Stride;
        return $"an input {names.Text} of {Invariant(smaller)} or {Invariant(larger)} would use every {names.Unit}";
    }

    private static int? NearestPadding(AxisGeometry axis)
    {
        int current = axis.PaddingBefore;
        for (int distance = 1; distance <= axis.Stride; distance++)
        {
            foreach (int candidate in new[] { current + distance, current - distance })
            {
                if (candidate >= 0 && Fits(axis.WithPadding(candidate)))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static int? LargestStride(AxisGeometry axis)
    {
        for (int candidate = axis.Stride - 1; candidate >= 1; candidate--)
        {
            if (Fits(axis.WithStride(candidate)))
            {
                return candidate;
            }
        }

        return null;
    }

    private static int? NearestKernel(AxisGeometry axis)
    {
        for (int distance = 1; distance <= axis.Stride; distance++)
        {
            foreach (int candidate in new[] { axis.Kernel - distance, axis.Kernel + distance })
            {
                if (candidate >= 1 && Fits(axis.WithKernel(candidate)))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Whole, or floored losing nothing (CNN0001's rule): a hint may suggest either.</summary>
    private static bool Fits(AxisGeometry axis) => (axis.IsWhole || axis.FloorsLosslessly) && axis.Output >= 1;

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
