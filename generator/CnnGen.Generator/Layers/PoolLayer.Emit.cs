using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Layers;

/// <summary>
/// MaxPool2D and AvgPool2D, per sample and channel plane. Max pooling with a 2 × 2 window and stride 2
/// calls the vectorised runtime kernel <c>MaxPool</c> on each worker's samples; other windows of up to
/// <see cref="MaxUnrolledWindow"/> pixels are unrolled into straight-line code with literal offsets.
/// Max pooling picks the first maximum, and NaN wins, as PyTorch does; backward recomputes that
/// choice from the cached input instead of storing indices.
/// </summary>
internal sealed partial class PoolLayer
{
    private const int MaxUnrolledWindow = 64;

    public override IEnumerable<string> ParallelBodies(LayerPlan layer)
    {
        yield return $"_{layer.Name}ForwardSamples";
        yield return $"_{layer.Name}BackwardSamples";
    }

    public override string Describe(LayerPlan layer) =>
        $"{Int(layer.Vertical.Kernel)}×{Int(layer.Horizontal.Kernel)} window, stride {Int(layer.Vertical.Stride)}"
        + (IsPadded(layer) ? $", padding {Int(layer.Vertical.PaddingBefore)} ({(layer.Kind == LayerKind.MaxPool2D ? "−∞" : "zeros, counted")})" : string.Empty);

    /// <summary>A padded layer copies each plane into a bordered one per worker (input, and in backward its gradient).</summary>
    public override IEnumerable<LayerBuffer> Buffers(LayerPlan layer)
    {
        if (IsPadded(layer))
        {
            yield return new LayerBuffer(BorderedField(layer), 2 * BorderedPlane(layer), BufferLifetime.WorkerScratch);
        }
    }

    public override void EmitForward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        bool isMax = layer.Kind == LayerKind.MaxPool2D;
        w.Open(ForwardSignature(layer));
        w.Line($"{ParallelFor(layer.MethodName + "ForwardSamples")};");
        w.Close();
        w.Line();
        w.Open($"private void {layer.MethodName}ForwardSamples(int worker, int start, int end)");
        if (UsesKernel(layer))
        {
            w.Line($"{Code.Kernels}MaxPool.Forward2x2({context.ValueRange(context.InputOf(layer))}, {context.ValueRange(context.OutputOf(layer))}, {KernelArguments(layer)});");
            w.Close();
            w.Line();
            return;
        }

        OpenWindowLoops(w, layer, context.ValueSample(context.InputOf(layer)), context.ValueSample(context.OutputOf(layer)), "output", inputGradient: null);
        string pooled = $"pooled[{Linear("oy", layer.Horizontal.Output, 0)} + ox]";
        if (isMax)
        {
            EmitMaxSearch(w, layer, trackIndex: false);
            w.Line($"{pooled} = best;");
        }
        else if (IsUnrolled(layer))
        {
            w.Line($"{pooled} = ({string.Join(" + ", WindowOffsets(layer, "plane[at", "]"))}) * {Float(1.0 / WindowSize(layer))};");
        }
        else
        {
            w.Line("float sum = 0;");
            OpenWindow(w, layer);
            w.Line("sum += plane[at + (ky * " + Int(RowStride(layer)) + ") + kx];");
            CloseWindow(w);
            w.Line($"{pooled} = sum * {Float(1.0 / WindowSize(layer))};");
        }

        CloseWindowLoops(w, layer);
        w.Close();
        w.Line();
    }

    public override void EmitBackward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        bool isMax = layer.Kind == LayerKind.MaxPool2D;
        w.Open(BackwardSignature(layer));
        bool guarded = OpenInputGradientGuard(w, layer);
        if (!UsesKernel(layer))
        {
            w.Line($"{context.GradientBatch(context.InputGradientOf(layer))}.Clear(); // windows may overlap or skip pixels");
        }

        w.Line($"{ParallelFor(layer.MethodName + "BackwardSamples")};");
        if (guarded)
        {
            w.Close();
        }

        w.Close();
        w.Line();
        w.Open($"private void {layer.MethodName}BackwardSamples(int worker, int start, int end)");
        if (UsesKernel(layer))
        {
            w.Line($"{Code.Kernels}MaxPool.Backward2x2({context.ValueRange(context.InputOf(layer))}, {context.GradientRange(context.OutputOf(layer))}, {context.GradientRange(context.InputGradientOf(layer))}, {KernelArguments(layer)}); // writes every input pixel");
            w.Close();
            w.Line();
            return;
        }

        OpenWindowLoops(w, layer, context.ValueSample(context.InputOf(layer)), context.GradientSample(context.OutputOf(layer)), "outputGradient", context.GradientSample(context.InputGradientOf(layer)));
        string pooled = $"pooled[{Linear("oy", layer.Horizontal.Output, 0)} + ox]";
        if (isMax)
        {
            EmitMaxSearch(w, layer, trackIndex: true);
            w.Line($"planeGradient[bestAt] += {pooled};");
        }
        else
        {
            w.Line($"float share = {pooled} * {Float(1.0 / WindowSize(layer))};");
            if (IsUnrolled(layer))
            {
                foreach (string target in WindowOffsets(layer, "planeGradient[at", "]"))
                {
                    w.Line($"{target} += share;");
                }
            }
            else
            {
                OpenWindow(w, layer);
                w.Line("planeGradient[at + (ky * " + Int(RowStride(layer)) + ") + kx] += share;");
                CloseWindow(w);
            }
        }

        CloseWindowLoops(w, layer, backward: true);
        w.Close();
        w.Line();
    }

    /// <summary>
    /// Opens n, c, oy, ox loops and defines <c>plane</c> (input values), <c>pooled</c> (output values
    /// or gradients), <c>planeGradient</c> when <paramref name="inputGradient"/> (a sample expression) is given, and
    /// <c>at</c>, the window's top-left pixel.
    /// </summary>
    private static void OpenWindowLoops(SourceWriter w, LayerPlan layer, string inputSample, string outputSample, string outputName, string? inputGradient)
    {
        AxisGeometry v = layer.Vertical, h = layer.Horizontal;
        int inputPlane = layer.Input.PlaneSize, outputPlane = layer.Output.PlaneSize;
        w.Open("for (int n = start; n < end; n++)");
        w.Line($"{Code.ReadOnlySpan} input = {inputSample};");
        w.Line($"var {outputName} = {outputSample};");
        if (inputGradient is not null)
        {
            w.Line($"{Code.Span} inputGradient = {inputGradient};");
        }

        if (IsPadded(layer))
        {
            w.Line($"{Code.Span} bordered = SpanOf({BorderedField(layer)}, worker * {Int(2 * BorderedPlane(layer))}, {Int(BorderedPlane(layer))});");
            if (inputGradient is not null)
            {
                w.Line($"{Code.Span} borderedGradient = SpanOf({BorderedField(layer)}, worker * {Int(2 * BorderedPlane(layer))} + {Int(BorderedPlane(layer))}, {Int(BorderedPlane(layer))});");
            }
        }

        w.Open($"for (int c = 0; c < {Int(layer.Input.Channels)}; c++)");
        string inputPlaneSlice = $"input.Slice(c * {Int(inputPlane)}, {Int(inputPlane)})";
        if (IsPadded(layer))
        {
            // The plane inside a border of −∞ (max: padding never wins) or 0 (average: padding counted, as PyTorch's default).
            w.Line($"bordered.Fill({(layer.Kind == LayerKind.MaxPool2D ? "float.NegativeInfinity" : "0f")});");
            w.Open($"for (int y = 0; y < {Int(v.Input)}; y++)");
            w.Line($"{inputPlaneSlice}.Slice(y * {Int(h.Input)}, {Int(h.Input)}).CopyTo(bordered.Slice((y + {Int(v.PaddingBefore)}) * {Int(RowStride(layer))} + {Int(h.PaddingBefore)}, {Int(h.Input)}));");
            w.Close();
            w.Line($"{Code.ReadOnlySpan} plane = bordered;");
        }
        else
        {
            w.Line($"{Code.ReadOnlySpan} plane = {inputPlaneSlice};");
        }

        w.Line($"var pooled = {outputName}.Slice(c * {Int(outputPlane)}, {Int(outputPlane)});");
        if (inputGradient is not null)
        {
            if (IsPadded(layer))
            {
                w.Line("borderedGradient.Clear();");
                w.Line($"{Code.Span} planeGradient = borderedGradient; // cropped into the input's gradient after the plane");
            }
            else
            {
                w.Line($"{Code.Span} planeGradient = inputGradient.Slice(c * {Int(inputPlane)}, {Int(inputPlane)});");
            }
        }

        w.Open($"for (int oy = 0; oy < {Int(v.Output)}; oy++)");
        w.Open($"for (int ox = 0; ox < {Int(h.Output)}; ox++)");
        w.Line($"int at = {Linear("oy", v.Stride * RowStride(layer), 0)} + {Linear("ox", h.Stride, 0)}; // the window's top-left pixel");
    }

    /// <summary>Closes ox, oy; for a padded layer's backward crops the bordered gradient into the input's; closes c, n.</summary>
    private static void CloseWindowLoops(SourceWriter w, LayerPlan layer, bool backward = false)
    {
        w.Close();
        w.Close();
        if (backward && IsPadded(layer))
        {
            AxisGeometry v = layer.Vertical, h = layer.Horizontal;
            w.Open($"for (int y = 0; y < {Int(v.Input)}; y++)");
            w.Line($"borderedGradient.Slice((y + {Int(v.PaddingBefore)}) * {Int(RowStride(layer))} + {Int(h.PaddingBefore)}, {Int(h.Input)}).CopyTo(inputGradient.Slice(c * {Int(layer.Input.PlaneSize)} + y * {Int(h.Input)}, {Int(h.Input)}));");
            w.Close();
        }

        w.Close();
        w.Close();
    }

    /// <summary>Finds <c>best</c> (and <c>bestAt</c>) in the window: first maximum, NaN propagates.</summary>
    private static void EmitMaxSearch(SourceWriter w, LayerPlan layer, bool trackIndex)
    {
        w.Line("float best = plane[at];");
        if (trackIndex)
        {
            w.Line("int bestAt = at;");
        }

        if (IsUnrolled(layer))
        {
            w.Line("float value;");
            foreach (string offset in WindowOffsets(layer, "at", string.Empty).Skip(1)) // the first pixel seeded best
            {
                string update = trackIndex ? $"{{ best = value; bestAt = {offset}; }}" : "best = value;";
                w.Line($"value = plane[{offset}]; if (value > best || float.IsNaN(value)) {update}");
            }

            return;
        }

        string loopUpdate = trackIndex ? "{ best = value; bestAt = index; }" : "best = value;";

        OpenWindow(w, layer);
        w.Line($"int index = at + (ky * {Int(RowStride(layer))}) + kx;");
        w.Line("float value = plane[index];");
        w.Line($"if (value > best || float.IsNaN(value)) {loopUpdate}");
        CloseWindow(w);
    }

    private static void OpenWindow(SourceWriter w, LayerPlan layer)
    {
        w.Open($"for (int ky = 0; ky < {Int(layer.Vertical.Kernel)}; ky++)");
        w.Open($"for (int kx = 0; kx < {Int(layer.Horizontal.Kernel)}; kx++)");
    }

    private static void CloseWindow(SourceWriter w)
    {
        w.Close();
        w.Close();
    }

    /// <summary><c>prefix + offset + suffix</c> for every pixel of the window, row by row (<c>plane[at + 29]</c>).</summary>
    private static IEnumerable<string> WindowOffsets(LayerPlan layer, string prefix, string suffix)
    {
        for (int ky = 0; ky < layer.Vertical.Kernel; ky++)
        {
            for (int kx = 0; kx < layer.Horizontal.Kernel; kx++)
            {
                int offset = (ky * RowStride(layer)) + kx;
                yield return offset == 0 ? prefix + suffix : $"{prefix} + {Int(offset)}{suffix}";
            }
        }
    }

    /// <summary>2 × 2 max pooling with stride 2, which the runtime's vectorised kernel implements.</summary>
    private static bool UsesKernel(LayerPlan layer) =>
        layer.Kind == LayerKind.MaxPool2D
        && layer.Vertical is { Kernel: 2, Stride: 2, Dilation: 1, PaddingBefore: 0, PaddingAfter: 0 }
        && layer.Horizontal is { Kernel: 2, Stride: 2, Dilation: 1, PaddingBefore: 0, PaddingAfter: 0 };

    /// <summary><c>(end - start) * 32, 28, 28</c>: planes, height and width of a worker's samples.</summary>
    private static string KernelArguments(LayerPlan layer) =>
        $"(end - start) * {Int(layer.Input.Channels)}, {Int(layer.Vertical.Input)}, {Int(layer.Horizontal.Input)}";

    private static int WindowSize(LayerPlan layer) => layer.Vertical.Kernel * layer.Horizontal.Kernel;

    private static bool IsPadded(LayerPlan layer) => layer.Vertical.PaddingBefore > 0 || layer.Horizontal.PaddingBefore > 0;

    /// <summary>Floats per row of the plane the windows walk: the input's, or its bordered copy's.</summary>
    private static int RowStride(LayerPlan layer) => layer.Horizontal.Input + layer.Horizontal.PaddingBefore + layer.Horizontal.PaddingAfter;

    private static int BorderedPlane(LayerPlan layer) => (layer.Vertical.Input + layer.Vertical.PaddingBefore + layer.Vertical.PaddingAfter) * RowStride(layer);

    private static string BorderedField(LayerPlan layer) => $"_{layer.Name}Bordered";

    private static bool IsUnrolled(LayerPlan layer) => WindowSize(layer) <= MaxUnrolledWindow;
}
