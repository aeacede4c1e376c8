using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CnnGen.Runtime.Rules;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Convolution forward as an implicit GEMM over a channels-last copy of the input: no im2col matrix.
/// The product is oriented output pixels × output channels, so the GEMM micro-kernel's rows are pixels
/// and its column panels are output channels (64 channels are exactly two AVX-512 panels, where 196
/// pixels leave a ragged 4-column panel), and its A operand is read straight from the input.
/// </summary>
/// <remarks>
/// <para>
/// In channels-last order (y, x, c) with the zero border written out, the patch of output pixel
/// (oy, ox) for kernel row ky is one contiguous run of KW·C_in floats (dilation 1) starting at
/// ((oy·SY + ky·DY)·Wp + ox·SX)·C_in, and the next pixel's run starts SX·C_in floats later. So with the
/// depth ordered (ky, kx, c) — the weights are packed that way once per call — a tile of up to MR pixels
/// of one output row times one NR-wide panel of channels is the micro-kernel's ordinary product with
/// row stride SX·C_in and depth stride 1. Kernel row ky + 1's run starts DY·Wp·C_in floats after ky's, so one
/// call chains all KH runs (a dilated row's KW taps, DX·C_in apart) and loads and stores its C tile once.
/// </para>
/// <para>
/// Data moved per sample: the input twice (transpose, then into the bordered copy) and the output twice
/// (the pixel-major product, then transposed to (C_out, OH, OW) with the bias). An explicit im2col writes
/// and rereads KH·KW copies of the input instead — 25 for a 5 × 5 kernel.
/// </para>
/// </remarks>
public static partial class ImplicitConvolution
{
    /// <summary>
    /// Depth of one run at most (a deeper run is split into blocks, one kernel call each). Runs this short are chained
    /// in one call, whose weights then come from L2 rather than L1: measured on the seed net's conv2 (5 runs of 160),
    /// 83.8 % of the FMA peak against 81.9 % with one call per run. Twice the blocked GEMM's depth, so that its input
    /// gradient (5 runs of 320) is one call too rather than ten of 256 and 64: 97–99 % of the peak against 91–92 %
    /// (in one process, interleaved; 256 and 128 bits also faster, by 1–2 %).
    /// </summary>
    private const int MaxRunDepth = 2 * GemmDriver.DepthBlock;

    /// <summary>Floats <see cref="PackWeights"/> writes for this shape.</summary>
    /// <remarks>Sized for the widest column panel of any micro-kernel (<see cref="PackedSizes.PanelWidth"/>), so weights packed for it fit every machine.</remarks>
    public static int PackedWeightLength(in ConvolutionShape shape) => PackedSizes.ImplicitConvolutionWeights(shape.OutputChannels, shape.PatchSize);

    /// <summary>
    /// Packs weights (C_out, C_in, KH, KW) into the column panels <c>Forward</c> reads: per panel of
    /// output channels, depth (ky, kx, c) major, the panel's channels contiguous and zero-padded.
    /// </summary>
    public static void PackWeights(in ConvolutionShape shape, ReadOnlySpan<float> weight, Span<float> packed)
    {
        shape.Validate();
        ConvolutionShape.CheckLength(weight.Length, (long)shape.OutputChannels * shape.PatchSize, nameof(weight));
        ConvolutionShape.CheckAtLeast(packed.Length, PackedWeightLength(shape), nameof(packed));
        PackPanels(shape, weight, ref MemoryMarshal.GetReference(packed), 0, PanelCount(shape));
    }

    /// <summary>
    /// Packs weights (C_out, C_in, KH, KW) of a stride-1 convolution <paramref name="shape"/> for
    /// <c>Forward</c> on <see cref="InputGradientShape"/>: the input gradient of a stride-1
    /// convolution is the convolution of the output gradient with the weights' channels swapped and both
    /// kernel axes flipped, dX(c, y, x) = Σ dY(o, y + PT − ky·DY, x + PL − kx·DX) · W(o, c, ky, kx).
    /// Runs once per backward pass, so it is a plain loop.
    /// </summary>
    public static void PackInputGradientWeights(in ConvolutionShape shape, ReadOnlySpan<float> weight, Span<float> packed)
    {
        ConvolutionShape gradient = InputGradientShape(shape);
        ConvolutionShape.CheckLength(weight.Length, (long)shape.OutputChannels * shape.PatchSize, nameof(weight));
        ConvolutionShape.CheckAtLeast(packed.Length, PackedWeightLength(gradient), nameof(packed));
        int panelWidth = Gemm.TileColumns;
        int filters = shape.OutputChannels, channels = shape.InputChannels;
        int kernelHeight = shape.KernelHeight, kernelWidth = shape.KernelWidth, taps = kernelHeight * kernelWidth;
        int patch = gradient.PatchSize;
        for (int panelStart = 0; panelStart < channels; panelStart += panelWidth)
        {
            int width = Math.Min(panelWidth, channels - panelStart);
            Span<float> panel = packed.Slice(panelStart * patch, patch * panelWidth);
            for (int tap = 0; tap < taps; tap++)
            {
                int flipped = taps - 1 - tap; // (KH − 1 − ky, KW − 1 − kx)
                for (int o = 0; o < filters; o++)
                {
                    Span<float> row = panel.Slice(((tap * filters) + o) * panelWidth, panelWidth);
                    ReadOnlySpan<float> source = weight.Slice((((o * channels) + panelStart) * taps) + flipped);
                    for (int j = 0; j < width; j++)
                    {
                        row[j] = source[j * taps];
                    }

                    row[width..].Clear();
                }
            }
        }
    }

    /// <summary>
    /// The convolution that computes a stride-1 <paramref name="shape"/>'s input gradient from its output
    /// gradient: channels swapped, padding D·(K − 1) − P. Throws if the stride is not 1 or the padding
    /// exceeds D·(K − 1) (taps that read only padding on both sides).
    /// </summary>
    public static ConvolutionShape InputGradientShape(in ConvolutionShape shape)
    {
        shape.Validate();
        if (!KernelSupport.InputGradientAsConvolution(shape.StrideY, shape.KernelHeight, shape.DilationY, shape.PaddingTop)
            || !KernelSupport.InputGradientAsConvolution(shape.StrideX, shape.KernelWidth, shape.DilationX, shape.PaddingLeft))
        {
            throw new ArgumentException($"The input gradient runs as a convolution only for stride 1 and padding ≤ D·(K − 1): {shape}.", nameof(shape));
        }

        return new ConvolutionShape(
            shape.OutputChannels,
            shape.OutputHeight,
            shape.OutputWidth,
            shape.InputChannels,
            shape.InputHeight,
            shape.InputWidth,
            shape.KernelHeight,
            shape.KernelWidth,
            1,
            1,
            shape.DilationY,
            shape.DilationX,
            ConvolutionGeometry.InputGradientPadding(shape.KernelHeight, shape.DilationY, shape.PaddingTop),
            ConvolutionGeometry.InputGradientPadding(shape.KernelWidth, shape.DilationX, shape.PaddingLeft));
    }

    /// <summary>
    /// One sample: output (C_out, OH, OW) = convolution of input (C_in, H, W) with the packed weights, plus
    /// bias (C_out; empty for none). Uses per-thread scratch; allocates nothing after the first call on a thread.
    /// </summary>
    public static void Forward(
        in ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> packedWeights, ReadOnlySpan<float> bias, Span<float> output)
    {
        Forward(shape, input, packedWeights, bias, output, borderedInput: default);
    }

    /// <summary>
    /// <see cref="Forward(in ConvolutionShape, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    /// that leaves the input it read, channels-last inside its zero border, in <paramref name="borderedInput"/>
    /// (<see cref="BorderedInputLength"/> floats) for <see cref="AccumulateWeightGradient"/> (empty: per-thread scratch),
    /// then takes <c>max(·, 0)</c> if <paramref name="relu"/>. The bias and the ReLU are applied as the pixel-major
    /// product is transposed into the output, not in a pass of their own.
    /// </summary>
    public static void Forward(
        in ConvolutionShape shape,
        ReadOnlySpan<float> input,
        ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias,
        Span<float> output,
        Span<float> borderedInput,
        bool relu = false)
    {
        Run(shape, input, default, packedWeights, bias, relu, output, borderedInput);
    }

    /// <summary>Floats of the input in channels-last order inside its zero border: PaddedHeight · PaddedWidth · C_in.</summary>
    public static int BorderedInputLength(in ConvolutionShape shape) => PackedSizes.BorderedInput(shape.PaddedHeight, shape.PaddedWidth, shape.InputChannels);

    /// <summary>
    /// <see cref="Forward(in ConvolutionShape, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, bool)"/>
    /// on weights (C_out, C_in, KH, KW) as they are, packed into <paramref name="packedWeights"/> within the call (as
    /// <see cref="PackWeights"/> would) — what one sample of a network whose <c>Parameters</c> may have changed runs.
    /// </summary>
    /// <remarks>
    /// Split over workers, the packing is split too, inside the same fork: each worker packs panels until none is
    /// left, waits until every panel is packed, then computes its output rows (<see cref="ImplicitConvolutionParallel"/>).
    /// </remarks>
    public static void PackAndForward(
        in ConvolutionShape shape,
        ReadOnlySpan<float> input,
        ReadOnlySpan<float> weight,
        Span<float> packedWeights,
        ReadOnlySpan<float> bias,
        Span<float> output,
        Span<float> borderedInput,
        bool relu = false)
    {
        ConvolutionShape.CheckLength(weight.Length, (long)shape.OutputChannels * shape.PatchSize, nameof(weight));
        Run(shape, input, weight, packedWeights, bias, relu, output, borderedInput);
    }

    /// <summary>
    /// The convolution, packing <paramref name="weight"/> into <paramref name="packedWeights"/> first unless it is empty
    /// (already packed), after checking the operands both entry points share.
    /// </summary>
    private static void Run(
        in ConvolutionShape shape,
        ReadOnlySpan<float> input,
        ReadOnlySpan<float> weight,
        ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias,
        bool relu,
        Span<float> output,
        Span<float> borderedInput)
    {
        shape.CheckForward(input.Length, packedWeights.Length, PackedWeightLength(shape), bias.Length, output.Length);
        if (!borderedInput.IsEmpty)
        {
            ConvolutionShape.CheckLength(borderedInput.Length, BorderedInputLength(shape), nameof(borderedInput));
        }

        int productStride = ProductStride(shape);
        Span<float> padded = ChannelsLastPadded(shape, input, borderedInput);
        Span<float> product = KernelScratch.ConvolutionProduct(shape.OutputPixels * productStride);
        if (!ImplicitConvolutionParallel.TryRun(shape, padded, weight, packedWeights, product))
        {
            if (!weight.IsEmpty)
            {
                PackPanels(shape, weight, ref MemoryMarshal.GetReference(packedWeights), 0, PanelCount(shape));
            }

            ComputeRows(shape, ref MemoryMarshal.GetReference(padded), ref MemoryMarshal.GetReference(packedWeights), ref MemoryMarshal.GetReference(product), 0, shape.OutputHeight);
        }

        // On the calling thread even after a split, so that the output's lines are this core's for the layers after it
        // (see ImplicitConvolutionParallel's remarks).
        MatrixTranspose.IntoWithBias(
            shape.OutputPixels, shape.OutputChannels, ref MemoryMarshal.GetReference(product), productStride, ref MemoryMarshal.GetReference(output), shape.OutputPixels, bias, relu);
    }

    /// <summary>Column panels of output channels, the last possibly narrow.</summary>
    internal static int PanelCount(in ConvolutionShape shape) => ProductStride(shape) / Gemm.TileColumns;

    /// <summary>Output rows [firstRow, endRow) of the pixel-major product, with this machine's micro-kernel.</summary>
    internal static void ComputeRows(in ConvolutionShape shape, ref float padded, ref float packedWeights, ref float product, int firstRow, int endRow)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            ComputeRows<GemmKernel<Lanes512, Vector512<float>>>(shape, ref padded, ref packedWeights, ref product, firstRow, endRow);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            ComputeRows<GemmKernel<Lanes256, Vector256<float>>>(shape, ref padded, ref packedWeights, ref product, firstRow, endRow);
        }
        else
        {
            ComputeRows<GemmKernel<Lanes128, Vector128<float>>>(shape, ref padded, ref packedWeights, ref product, firstRow, endRow);
        }
    }

    /// <summary>Output channels rounded up to whole panels: the row stride of the pixel-major product.</summary>
    private static int ProductStride(in ConvolutionShape shape) => PackedSizes.RoundUp(shape.OutputChannels, Gemm.TileColumns);

    private static void ComputeRows<TKernel>(
        in ConvolutionShape shape, ref float padded, ref float packedWeights, ref float product, int firstRow, int endRow)
        where TKernel : struct, IGemmMicroKernel
    {
        int panelWidth = TKernel.Columns;
        int channels = shape.InputChannels, outputChannels = shape.OutputChannels, patch = shape.PatchSize;
        int outputWidth = shape.OutputWidth, paddedWidth = shape.PaddedWidth;
        int productStride = ProductStride(shape);

        // Contiguous runs of depth: a kernel row's KW·C_in floats (dilation 1), else one tap's C_in. One kernel
        // call covers every run whose start is a fixed stride from the last (all kernel rows; a dilated row's
        // taps), so its C tile is loaded and stored once, not once per run; B is contiguous across them.
        bool wholeRows = shape.DilationX == 1;
        int runsPerRow = wholeRows ? 1 : shape.KernelWidth;
        int totalRuns = shape.KernelHeight * runsPerRow;
        int runDepth = wholeRows ? shape.KernelWidth * channels : channels;
        nint kernelRowStride = (nint)shape.DilationY * paddedWidth * channels, tapStride = (nint)shape.DilationX * channels;
        nint runStride = wholeRows ? kernelRowStride : tapStride;
        int runsPerCall = runDepth > MaxRunDepth ? 1 : wholeRows ? shape.KernelHeight : shape.KernelWidth;
        nint pixelStride = (nint)shape.StrideX * channels;

        // Output rows split into near-equal tiles of at most MR pixels (14 → 7 + 7, not 8 + 6).
        int tilesPerRow = (outputWidth + TKernel.Rows - 1) / TKernel.Rows;

        for (int panelStart = 0; panelStart < outputChannels; panelStart += panelWidth)
        {
            bool narrow = outputChannels - panelStart <= panelWidth / 2;
            ref float panel = ref Unsafe.Add(ref packedWeights, (nint)panelStart * patch);
            for (int firstRun = 0; firstRun < totalRuns; firstRun += runsPerCall)
            {
                (int ky, int kx) = Math.DivRem(firstRun, runsPerRow);
                nint runOffset = (ky * kernelRowStride) + (kx * tapStride);

                // A run deeper than MaxRunDepth is one call per depth block (then runsPerCall is 1).
                for (int depthStart = 0; depthStart < runDepth; depthStart += MaxRunDepth)
                {
                    int depth = Math.Min(MaxRunDepth, runDepth - depthStart);
                    bool accumulate = firstRun > 0 || depthStart > 0;
                    ref float weights = ref Unsafe.Add(ref panel, ((nint)(firstRun * runDepth) + depthStart) * panelWidth);
                    for (int oy = firstRow; oy < endRow; oy++)
                    {
                        nint rowOffset = ((nint)oy * shape.StrideY * paddedWidth * channels) + runOffset + depthStart;
                        int ox = 0;
                        for (int tile = 0; tile < tilesPerRow; tile++)
                        {
                            int rows = (outputWidth - ox) / (tilesPerRow - tile);
                            GemmDriver.RunTile<TKernel>(
                                rows,
                                narrow,
                                depth,
                                runsPerCall,
                                runStride,
                                ref Unsafe.Add(ref padded, rowOffset + (ox * pixelStride)),
                                pixelStride,
                                1,
                                ref weights,
                                panelWidth,
                                ref Unsafe.Add(ref product, ((nint)((oy * outputWidth) + ox) * productStride) + panelStart),
                                productStride,
                                accumulate);
                            ox += rows;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The input in (y, x, c) order inside a zero border: PaddedHeight × PaddedWidth × C_in floats, written to
    /// <paramref name="destination"/> or, if it is empty, to per-thread scratch.
    /// </summary>
    private static Span<float> ChannelsLastPadded(in ConvolutionShape shape, ReadOnlySpan<float> input, Span<float> destination)
    {
        int channels = shape.InputChannels, width = shape.InputWidth, pixels = shape.InputHeight * width;
        int paddedHeight = shape.PaddedHeight, paddedWidth = shape.PaddedWidth, top = shape.PaddingTop, left = shape.PaddingLeft;
        Span<float> padded = destination.IsEmpty ? KernelScratch.ConvolutionInput(BorderedInputLength(shape)) : destination;

        // Rows and columns past the padded extent are never read by any tap (a stride that does not divide).
        int rows = Math.Clamp(paddedHeight - top, 0, shape.InputHeight), columns = Math.Clamp(paddedWidth - left, 0, width);
        int rowLength = paddedWidth * channels, leftBorder = left * channels, rightBorder = (paddedWidth - left - columns) * channels;
        padded[..(top * rowLength)].Clear();
        padded.Slice((top + rows) * rowLength, (paddedHeight - top - rows) * rowLength).Clear();
        ref float source = ref MemoryMarshal.GetReference(input);
        for (int y = 0; y < rows && columns > 0; y++)
        {
            Span<float> row = padded.Slice((top + y) * rowLength, rowLength);
            row[..leftBorder].Clear();
            row[(rowLength - rightBorder)..].Clear();

            // Image row y, C_in × columns with rows a plane apart, transposed into columns × C_in.
            MatrixTranspose.Into(
                channels, columns, ref Unsafe.Add(ref source, y * width), pixels, ref row[leftBorder], channels, accumulate: false);
        }

        return padded;
    }
}
