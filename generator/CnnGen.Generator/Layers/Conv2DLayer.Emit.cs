using System.Collections.Generic;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;
using static CnnGen.Generator.Emit.SourceWriter;

namespace CnnGen.Generator.Layers;

/// <summary>
/// Conv2D as im2col + GEMM, per sample: <c>columns (C_in·KH·KW, OH·OW)</c>, then
/// <c>output (C_out, OH·OW) = weight (C_out, C_in·KH·KW) · columns + bias</c>. Backward:
/// <c>dWeight += dOutput · columnsᵀ</c>, <c>dBias += row sums</c>, <c>dColumns = weightᵀ · dOutput</c>,
/// then col2im scatters dColumns into dInput. The forward caches every sample's columns in training.
/// Layers call the runtime's kernels instead where <see cref="LayerPlan.InferenceConvolution"/> says so:
/// <c>ImplicitConvolution</c> in both modes (its weight gradient reads the bordered input the forward kept;
/// <see cref="LayerPlan.TrainsInPlace"/>), or at inference <c>DirectConvolution</c> (packed weights) or
/// <c>RowConvolution</c> (the weights as they are); the input gradient of a stride-1 layer with ≥ 16 input
/// channels is an <c>ImplicitConvolution</c> too.
/// </summary>
/// <remarks>
/// Padding costs no bounds tests: for each kernel tap the generator computes, at compile time, the
/// rectangle of output pixels whose tap lands inside the input, and emits a loop over exactly that
/// rectangle with the zero stores for the padding that tap reads. Taps are unrolled, so code size grows
/// with the kernel window, never with the image.
/// </remarks>
internal sealed partial class Conv2DLayer
{
    public override IEnumerable<LayerBuffer> Buffers(LayerPlan layer)
    {
        if (layer.TrainsInPlace)
        {
            // Both modes run the implicit GEMM; training keeps its bordered input for the weight gradient.
            yield return new LayerBuffer(BorderedInputsField(layer), layer.BorderedInputSize, BufferLifetime.TrainingBatch);
            yield return new LayerBuffer(PackedWeightsField(layer), layer.PackedWeightSize, BufferLifetime.Shared);
            yield return new LayerBuffer(WeightGradientsField(layer), layer.WeightGradientSize, BufferLifetime.BackwardScratch);
        }
        else if (layer.ConvolvesInPlace)
        {
            // Inference runs the direct or row kernel: columns exist only for training's backward.
            yield return new LayerBuffer(ColumnsField(layer), layer.ColumnsSize, BufferLifetime.TrainingBatch);
            if (layer.PackedWeightSize > 0)
            {
                yield return new LayerBuffer(PackedWeightsField(layer), layer.PackedWeightSize, BufferLifetime.InferenceShared);
            }
        }
        else
        {
            yield return new LayerBuffer(ColumnsField(layer), layer.ColumnsSize, BufferLifetime.CachedForBackward);
        }

        if (layer.ConvolvesGradientInPlace)
        {
            yield return new LayerBuffer(InputGradientWeightsField(layer), layer.InputGradientWeightSize, BufferLifetime.TrainingShared);
        }
        else
        {
            yield return new LayerBuffer(ColumnsField(layer) + "Gradient", layer.ColumnsSize, BufferLifetime.BackwardScratch);
        }

        yield return new LayerBuffer(PartialGradientField(layer), layer.ParameterCount, BufferLifetime.WorkerGradient);
    }

    public override IEnumerable<string> ParallelBodies(LayerPlan layer)
    {
        yield return $"_{layer.Name}ForwardSamples";
        yield return $"_{layer.Name}BackwardSamples";
    }

    public override string Describe(LayerPlan layer)
    {
        AxisGeometry v = layer.Vertical, h = layer.Horizontal;
        string stride = v.Stride == h.Stride ? Int(v.Stride) : $"({Int(v.Stride)}, {Int(h.Stride)})";
        string padding = v.PaddingBefore == v.PaddingAfter && h.PaddingBefore == h.PaddingAfter && v.PaddingBefore == h.PaddingBefore
            ? Int(v.PaddingBefore)
            : $"(top {Int(v.PaddingBefore)}, bottom {Int(v.PaddingAfter)}, left {Int(h.PaddingBefore)}, right {Int(h.PaddingAfter)})";
        string fused = layer.FusedActivation is { } activation ? $", then {activation} on each sample" : string.Empty;
        string folded = layer.Fold is { } fold
            ? $"; once frozen {fold.Name} is folded in" + (layer.FrozenActivation is { } after ? $", then {after} on each sample" : string.Empty)
            : string.Empty;
        return $"{Int(v.Kernel)}×{Int(h.Kernel)} kernel, stride {stride}, padding {padding}, dilation {Int(v.Dilation)}{fused}{folded}";
    }

    public override void EmitForward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        int outChannels = layer.Output.Channels, pixels = layer.Output.PlaneSize, patch = layer.PatchSize;
        int columns = patch * pixels;
        bool inPlace = layer.ConvolvesInPlace;
        string kernel = InferenceKernel(layer);
        string weightSlice = WeightSlice(layer);
        if (inPlace || layer.ConvolvesGradientInPlace)
        {
            w.Line($"private static readonly {Code.Kernels}ConvolutionShape {ShapeField(layer)} = new({ShapeArguments(layer)});");
            w.Line();
        }

        w.Open(ForwardSignature(layer));
        if (layer.PackedWeightSize > 0)
        {
            // Training packs too when it runs the implicit GEMM, which packs one sample's weights itself.
            w.Line(layer.TrainsInPlace
                ? "// Packed on every call, as Parameters may have changed since (one sample's convolution packs them itself); a frozen network packed them in Freeze."
                : "// Packed on every call, as Parameters may have changed since; a frozen network packed them in Freeze.");
            w.Open(layer.TrainsInPlace ? $"if (!{FreezeEmitter.Flag} && batchSize > 1)" : $"if (!_training && !{FreezeEmitter.Flag})");
            w.Line(Pack(layer, weightSlice));
            w.Close();
            w.Line();
        }

        w.Line($"{ParallelFor(layer.MethodName + "ForwardSamples")};");
        w.Close();
        w.Line();
        if (layer.TrainsInPlace)
        {
            EmitInPlaceForwardSamples(w, layer, context);
            return;
        }

        w.Line(inPlace
            ? "/// <summary>Samples [start, end) on one worker; training keeps every sample's columns for backward, inference reads the input in place.</summary>"
            : "/// <summary>Samples [start, end) on one worker; training keeps every sample's columns for backward.</summary>");
        w.Open($"private void {layer.MethodName}ForwardSamples(int worker, int start, int end)");
        string weight = layer.Fold is not null && layer.PackedWeightSize == 0 ? $"{FreezeEmitter.Flag} ? {FoldedWeight(layer)} : {weightSlice}" : weightSlice;
        w.Line($"{Code.ReadOnlySpan} weight = {weight}; // ({Int(outChannels)}, {Int(layer.Input.Channels)}, {Int(layer.Vertical.Kernel)}, {Int(layer.Horizontal.Kernel)})");
        w.Line($"{Code.ReadOnlySpan} bias = ParameterValues.Slice({Int(layer.BiasOffset)}, {Int(layer.BiasCount)});");
        w.Open("for (int n = start; n < end; n++)");
        w.Line($"{Code.Span} output = {context.ValueSample(context.OutputOf(layer))};");
        if (inPlace)
        {
            w.Open("if (_training)");
        }

        w.Line($"{Code.Span} columns = SpanOf({ColumnsField(layer)}, {(inPlace ? "n" : "(_training ? n : worker)")} * {Int(columns)}, {Int(columns)});");
        w.Line($"{layer.MethodName}Im2Col({context.ValueSample(context.InputOf(layer))}, columns);");
        w.Line($"{Code.Gemm}MultiplyNN({Int(outChannels)}, {Int(pixels)}, {Int(patch)}, weight, columns, output, accumulate: false);");
        if (inPlace)
        {
            w.Close();
            w.Open("else");
            string weights = layer.PackedWeightSize > 0 ? PackedWeightsField(layer) : "weight";
            w.Line($"{kernel}.Forward({ShapeField(layer)}, {context.ValueSample(context.InputOf(layer))}, {weights}, default, output);");
            w.Close();
        }

        EmitEpilogue(w, layer);
        w.Close();
        w.Close();
        w.Line();
        EmitIm2Col(w, layer);
    }

    public override void EmitBackward(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        int outChannels = layer.Output.Channels, pixels = layer.Output.PlaneSize, patch = layer.PatchSize;
        int columns = patch * pixels;
        bool gradientInPlace = layer.ConvolvesGradientInPlace;
        if (gradientInPlace)
        {
            w.Line($"private static readonly {Code.Kernels}ConvolutionShape {InputGradientShapeField(layer)} = {Code.Kernels}ImplicitConvolution.InputGradientShape({ShapeField(layer)});");
            w.Line();
        }

        w.Open(BackwardSignature(layer));
        if (gradientInPlace)
        {
            w.Line($"{Code.Kernels}ImplicitConvolution.PackInputGradientWeights({ShapeField(layer)}, {WeightSlice(layer)}, {InputGradientWeightsField(layer)});");
        }

        w.Line($"int workers = {ParallelFor(layer.MethodName + "BackwardSamples")};");
        w.Line($"{Code.Span} parameterGradient = SpanOf(_gradients, {Int(layer.WeightOffset)}, {Int(layer.ParameterCount)});");
        w.Open("for (int worker = 1; worker < workers; worker++)");
        w.Line($"{Code.ReadOnlySpan} partial = SpanOf({PartialGradientField(layer)}, (worker - 1) * {Int(layer.ParameterCount)}, {Int(layer.ParameterCount)});");
        w.Line($"{Code.TensorPrimitives}Add(parameterGradient, partial, parameterGradient);");
        w.Close();
        w.Close();
        w.Line();
        w.Line("/// <summary>Samples [start, end) on one worker; workers after the first accumulate weight and bias gradients apart.</summary>");
        w.Open($"private void {layer.MethodName}BackwardSamples(int worker, int start, int end)");
        if (!gradientInPlace)
        {
            w.Line($"{Code.ReadOnlySpan} weight = {WeightSlice(layer)};");
        }

        w.Line($"{Code.Span} parameterGradient = worker == 0");
        w.Line($"    ? SpanOf(_gradients, {Int(layer.WeightOffset)}, {Int(layer.ParameterCount)})");
        w.Line($"    : SpanOf({PartialGradientField(layer)}, (worker - 1) * {Int(layer.ParameterCount)}, {Int(layer.ParameterCount)});");
        w.Open("if (worker != 0)");
        w.Line("parameterGradient.Clear();");
        w.Close();
        w.Line();
        w.Line($"{Code.Span} weightGradient = parameterGradient.Slice(0, {Int(layer.WeightCount)});");
        if (layer.BiasCount > 0)
        {
            w.Line($"{Code.Span} biasGradient = parameterGradient.Slice({Int(layer.WeightCount)}, {Int(layer.BiasCount)});");
        }

        if (layer.TrainsInPlace)
        {
            w.Line($"{Code.Span} weightGradientRows = SpanOf({WeightGradientsField(layer)}, worker * {Int(layer.WeightGradientSize)}, {Int(layer.WeightGradientSize)});");
            w.Line("weightGradientRows.Clear();");
        }

        if (!gradientInPlace)
        {
            w.Line($"{Code.Span} columnsGradient = SpanOf({ColumnsField(layer)}Gradient, worker * {Int(columns)}, {Int(columns)});");
        }

        // Weight gradients of several samples at once (one product over all their pixels) once their output gradients are final.
        int samplesPerCall = layer.WeightGradientSamples;
        if (samplesPerCall > 1)
        {
            w.Line("int weightGradientStart = start;");
        }

        w.Open("for (int n = start; n < end; n++)");
        w.Line($"{Code.Span} outputGradient = {context.GradientSample(context.OutputOf(layer))};");
        if (layer.FusedActivation is { } activation)
        {
            w.Line(ActivationLayer.SampleBackward(activation, context.ValueSample(context.OutputOf(layer)), "outputGradient", layer));
        }

        if (samplesPerCall == 1)
        {
            w.Line(layer.TrainsInPlace
                ? $"{Code.Kernels}ImplicitConvolution.AccumulateWeightGradient({ShapeField(layer)}, {BorderedInputSample(layer)}, outputGradient, weightGradientRows);"
                : $"{Code.Gemm}MultiplyNT({Int(outChannels)}, {Int(patch)}, {Int(pixels)}, outputGradient, SpanOf({ColumnsField(layer)}, n * {Int(columns)}, {Int(columns)}), weightGradient, accumulate: true);");
        }
        if (layer.BiasCount > 0)
        {
            w.Line($"{Code.Bias}AccumulateRowSums(outputGradient, biasGradient, {Int(outChannels)}, {Int(pixels)});");
        }

        bool guarded = OpenInputGradientGuard(w, layer);
        if (gradientInPlace)
        {
            w.Line($"{Code.Kernels}ImplicitConvolution.Forward({InputGradientShapeField(layer)}, outputGradient, {InputGradientWeightsField(layer)}, default, {context.GradientSample(context.InputGradientOf(layer))});");
        }
        else
        {
            w.Line($"{Code.Gemm}MultiplyTN({Int(patch)}, {Int(pixels)}, {Int(outChannels)}, weight, outputGradient, columnsGradient, accumulate: false);");
            w.Line($"{layer.MethodName}Col2Im(columnsGradient, {context.GradientSample(context.InputGradientOf(layer))});");
        }

        if (guarded)
        {
            w.Close();
        }

        if (samplesPerCall > 1)
        {
            w.Open($"if (n + 1 - weightGradientStart == {Int(samplesPerCall)} || n + 1 == end)");
            w.Line("int samples = n + 1 - weightGradientStart;");
            string bordered = EmitContext.Samples(BorderedInputsField(layer), "weightGradientStart", "samples", layer.BorderedInputSize);
            string outputGradients = context.GradientSamples(context.OutputOf(layer), "weightGradientStart", "samples");
            w.Line($"{Code.Kernels}ImplicitConvolution.AccumulateWeightGradient({ShapeField(layer)}, {bordered}, {outputGradients}, weightGradientRows);");
            w.Line("weightGradientStart = n + 1;");
            w.Close();
        }

        w.Close();
        if (layer.TrainsInPlace)
        {
            w.Line();
            w.Line($"{Code.Kernels}ImplicitConvolution.AddWeightGradient({ShapeField(layer)}, weightGradientRows, weightGradient);");
        }

        w.Close();
        if (!gradientInPlace)
        {
            w.Line();
            EmitCol2Im(w, layer);
        }
    }

    private static string ShapeArguments(LayerPlan layer)
    {
        AxisGeometry v = layer.Vertical, h = layer.Horizontal;
        int[] values =
        [
            layer.Input.Channels, v.Input, h.Input, layer.Output.Channels, v.Output, h.Output,
            v.Kernel, h.Kernel, v.Stride, h.Stride, v.Dilation, h.Dilation, v.PaddingBefore, h.PaddingBefore,
        ];
        return string.Join(", ", System.Linq.Enumerable.Select(values, Int));
    }

    /// <summary>
    /// Training and inference both run <c>ImplicitConvolution</c>; training keeps each sample's bordered
    /// input, which backward's weight gradient reads (no im2col). The bias and a ReLU after it are applied
    /// as the kernel writes its output; another fused activation runs after.
    /// </summary>
    private static void EmitInPlaceForwardSamples(SourceWriter w, LayerPlan layer, EmitContext context)
    {
        w.Line("/// <summary>Samples [start, end) on one worker; training keeps every sample's bordered input for backward.</summary>");
        w.Open($"private void {layer.MethodName}ForwardSamples(int worker, int start, int end)");
        string bias = $"ParameterValues.Slice({Int(layer.BiasOffset)}, {Int(layer.BiasCount)})";
        w.Line($"{Code.ReadOnlySpan} bias = {(layer.Fold is null ? bias : $"{FreezeEmitter.Flag} ? {FoldedBias(layer)} : {bias}")};");
        w.Open("for (int n = start; n < end; n++)");
        w.Line($"{Code.Span} output = {context.ValueSample(context.OutputOf(layer))};");
        bool relu = layer.FusedActivation == LayerKind.Relu, frozenRelu = layer.FrozenActivation == LayerKind.Relu;
        string input = context.ValueSample(context.InputOf(layer));
        string rest = $"bias, output, _training ? {BorderedInputSample(layer)} : default, relu: {(relu ? "true" : frozenRelu ? FreezeEmitter.Flag : "false")}";
        w.Open($"if ({FreezeEmitter.Flag} || _batch > 1)");
        w.Line($"{Code.Kernels}ImplicitConvolution.Forward({ShapeField(layer)}, {input}, {PackedWeightsField(layer)}, {rest});");
        w.Close();
        w.Open("else");
        w.Line("// One sample: packed by the convolution, each worker packing the panels of output channels it computes.");
        w.Line($"{Code.Kernels}ImplicitConvolution.PackAndForward({ShapeField(layer)}, {input}, {WeightSlice(layer)}, {PackedWeightsField(layer)}, {rest});");
        w.Close();
        if (!relu)
        {
            EmitActivationAfterBias(w, layer.FusedActivation, layer);
        }

        if (layer.FrozenActivation is { } activation && !frozenRelu)
        {
            w.Open($"if ({FreezeEmitter.Flag})");
            EmitActivationAfterBias(w, activation, layer);
            w.Close();
        }

        w.Close();
        w.Close();
    }

    /// <summary>
    /// After a sample's convolution, which every path runs without bias: the bias, in one pass with a ReLU
    /// that follows (<c>max(x + b, 0)</c>), else alone and then the fused activation, if any.
    /// </summary>
    /// <remarks>
    /// Once frozen, a layer with a folded BatchNorm (<see cref="LayerPlan.Fold"/>) adds the folded bias instead, and the
    /// activation after the BatchNorm with it.
    /// </remarks>
    private static void EmitEpilogue(SourceWriter w, LayerPlan layer)
    {
        bool unfrozenEpilogue = layer.BiasCount > 0 || layer.FusedActivation is not null;
        if (layer.Fold is not null)
        {
            w.Open($"if ({FreezeEmitter.Flag})");
            EmitBiasAndActivation(w, layer, FoldedBias(layer), layer.FrozenActivation);
            w.Close();
            if (!unfrozenEpilogue)
            {
                return;
            }

            w.Open("else");
        }

        EmitBiasAndActivation(w, layer, layer.BiasCount > 0 ? "bias" : null, layer.FusedActivation);
        if (layer.Fold is not null)
        {
            w.Close();
        }
    }

    /// <summary><c>max(x + b, 0)</c> in one pass for a ReLU, else the bias (none when <paramref name="bias"/> is null: <c>Bias = false</c>), then the activation.</summary>
    private static void EmitBiasAndActivation(SourceWriter w, LayerPlan layer, string? bias, LayerKind? activation)
    {
        string shape = $"{Int(layer.Output.Channels)}, {Int(layer.Output.PlaneSize)}";
        if (bias is null)
        {
            EmitActivationAfterBias(w, activation, layer);
            return;
        }

        if (activation == LayerKind.Relu)
        {
            w.Line($"{Code.Bias}AddToRowsThenRelu(output, {bias}, {shape});");
            return;
        }

        w.Line($"{Code.Bias}AddToRows(output, {bias}, {shape});");
        EmitActivationAfterBias(w, activation, layer);
    }

    /// <summary>The activation, if any, over a sample's output that already has its bias.</summary>
    private static void EmitActivationAfterBias(SourceWriter w, LayerKind? activation, LayerPlan layer)
    {
        if (activation is { } kind)
        {
            w.Line(ActivationLayer.SampleForward(kind, "output", layer));
        }
    }

    private static string BorderedInputSample(LayerPlan layer) =>
        $"SpanOf({BorderedInputsField(layer)}, n * {Int(layer.BorderedInputSize)}, {Int(layer.BorderedInputSize)})";

    private static string BorderedInputsField(LayerPlan layer) => "_" + layer.Name + "BorderedInputs";

    private static string WeightGradientsField(LayerPlan layer) => "_" + layer.Name + "WeightGradientRows";

    private static string ShapeField(LayerPlan layer) => layer.MethodName + "Shape";

    private static string InputGradientShapeField(LayerPlan layer) => layer.MethodName + "InputGradientShape";

    private static string InputGradientWeightsField(LayerPlan layer) => "_" + layer.Name + "InputGradientWeights";

    private static string InferenceKernel(LayerPlan layer) => Code.Kernels + layer.InferenceConvolution switch
    {
        InferenceConvolution.Direct => "DirectConvolution",
        InferenceConvolution.Row => "RowConvolution",
        _ => "ImplicitConvolution",
    };

    private static string WeightSlice(LayerPlan layer) => $"ParameterValues.Slice({Int(layer.WeightOffset)}, {Int(layer.WeightCount)})";

    public static string PackedWeightsField(LayerPlan layer) => "_" + layer.Name + "PackedWeights";

    private static string PartialGradientField(LayerPlan layer) => "_" + layer.Name + "WorkerGradients";

    private static string ColumnsField(LayerPlan layer) => "_" + layer.Name + "Columns";

    /// <summary>columns[(c, ky, kx), (oy, ox)] = input[c, oy·SH + ky·D − P_top, ox·SW + kx·D − P_left], 0 outside.</summary>
    private static void EmitIm2Col(SourceWriter w, LayerPlan layer)
    {
        w.Line($"/// <summary>im2col for {layer.Name}: row (c, ky, kx) of the columns holds the input pixels tap (ky, kx) of channel c sees.</summary>");
        w.Open($"private static void {layer.MethodName}Im2Col({Code.ReadOnlySpan} input, {Code.Span} columns)");
        EmitTapLoops(
            w,
            layer,
            "input",
            "columns",
            zeroPadding: true,
            (source, row, length) => $"{Code.Kernels}ShortRows.Copy(plane, {source}, rows, {row}, {length});",
            (source, row) => $"rows[{row}] = plane[{source}];");
        w.Close();
        w.Line();
    }

    /// <summary>The adjoint of im2col: every column entry is added back to the input pixel it was read from.</summary>
    private static void EmitCol2Im(SourceWriter w, LayerPlan layer)
    {
        w.Line($"/// <summary>col2im for {layer.Name}: adds each column entry into the input pixel im2col read it from.</summary>");
        w.Open($"private static void {layer.MethodName}Col2Im({Code.ReadOnlySpan} columns, {Code.Span} input)");
        w.Line("input.Clear();");
        EmitTapLoops(
            w,
            layer,
            "input",
            "columns",
            zeroPadding: false,
            (source, row, length) => $"{Code.Kernels}ShortRows.Add(rows, {row}, plane, {source}, {length});",
            (source, row) => $"plane[{source}] += rows[{row}];");
        w.Close();
        w.Line();
    }

    /// <summary>
    /// Emits, per input channel, one loop nest per kernel tap over the output rectangle that tap
    /// reads from inside the input. <paramref name="contiguous"/> moves a whole row segment
    /// (horizontal stride 1) given the plane index, the columns index and the length;
    /// <paramref name="element"/> moves one element (strided) given the two indices.
    /// <paramref name="zeroPadding"/> also writes zeros to the columns entries outside that rectangle
    /// (the taps that read padding), so every entry is written exactly once and nothing is cleared first.
    /// </summary>
    private static void EmitTapLoops(
        SourceWriter w,
        LayerPlan layer,
        string inputName,
        string columnsName,
        bool zeroPadding,
        System.Func<string, string, string, string> contiguous,
        System.Func<string, string, string> element)
    {
        AxisGeometry v = layer.Vertical, h = layer.Horizontal;
        int inputPlane = layer.Input.PlaneSize, pixels = layer.Output.PlaneSize;
        int taps = v.Kernel * h.Kernel;
        int inputWidth = h.Input, outputWidth = h.Output;
        w.Open($"for (int c = 0; c < {Int(layer.Input.Channels)}; c++)");
        w.Line($"var plane = {inputName}.Slice(c * {Int(inputPlane)}, {Int(inputPlane)});");
        w.Line($"var rows = {columnsName}.Slice(c * {Int(taps * pixels)}, {Int(taps * pixels)});");
        for (int ky = 0; ky < v.Kernel; ky++)
        {
            for (int kx = 0; kx < h.Kernel; kx++)
            {
                (int y0, int y1) = v.OutputRangeForTap(ky);
                (int x0, int x1) = h.OutputRangeForTap(kx);
                int tapBase = ((ky * h.Kernel) + kx) * pixels;
                if (y0 > y1 || x0 > x1)
                {
                    w.Line($"// tap ({Int(ky)}, {Int(kx)}) only ever reads padding");
                    if (zeroPadding)
                    {
                        w.Line($"rows.Slice({Int(tapBase)}, {Int(pixels)}).Clear();");
                    }

                    continue;
                }

                if (zeroPadding && y0 > 0)
                {
                    w.Line($"rows.Slice({Int(tapBase)}, {Int(y0 * outputWidth)}).Clear(); // output rows above the input");
                }

                if (zeroPadding && y1 < v.Output - 1)
                {
                    w.Line($"rows.Slice({Int(tapBase + ((y1 + 1) * outputWidth))}, {Int((v.Output - 1 - y1) * outputWidth)}).Clear(); // output rows below the input");
                }

                int sourceOffset = (v.TapOffset(ky) * inputWidth) + (x0 * h.Stride) + h.TapOffset(kx);
                int rowOffset = tapBase + x0;
                int length = x1 - x0 + 1;
                w.Line($"// tap ({Int(ky)}, {Int(kx)}): output rows {Int(y0)}..{Int(y1)}, columns {Int(x0)}..{Int(x1)}");
                w.Open($"for (int oy = {Int(y0)}; oy < {Int(y1 + 1)}; oy++)");
                string source = Linear("oy", v.Stride * inputWidth, sourceOffset);
                string row = Linear("oy", outputWidth, rowOffset);
                if (zeroPadding)
                {
                    EmitZeros(w, "oy", outputWidth, tapBase, x0);
                    EmitZeros(w, "oy", outputWidth, tapBase + x1 + 1, outputWidth - 1 - x1);
                }

                if (h.Stride == 1)
                {
                    w.Line(contiguous(source, row, Int(length)));
                }
                else
                {
                    w.Line($"int source = {source};");
                    w.Line($"int row = {row};");
                    w.Open($"for (int ox = 0; ox < {Int(length)}; ox++)");
                    w.Line(element($"source + (ox * {Int(h.Stride)})", "row + ox"));
                    w.Close();
                }

                w.Close();
            }
        }

        w.Close();
    }

    /// <summary>Zeros <paramref name="count"/> entries from <c>oy · rowLength + start</c> of <c>rows</c>: a few stores, or a Clear.</summary>
    private static void EmitZeros(SourceWriter w, string variable, int rowLength, int start, int count)
    {
        if (count > MaxZeroStores)
        {
            w.Line($"rows.Slice({Linear(variable, rowLength, start)}, {Int(count)}).Clear();");
            return;
        }

        for (int i = 0; i < count; i++)
        {
            w.Line($"rows[{Linear(variable, rowLength, start + i)}] = 0f;");
        }
    }

    private const int MaxZeroStores = 4;
}
