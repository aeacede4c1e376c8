using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CnnGen.Runtime.Rules;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// The weight gradient of a convolution whose forward ran as <see cref="ImplicitConvolution"/>, from the
/// bordered channels-last input the forward kept: no im2col columns. For patch entry m = (ky, kx, c) and
/// output channel o, dW(o, c, ky, kx) = Σ over output pixels of input(pixel's tap (ky, kx), c) · dY(o, pixel):
/// an indirect GEMM (<see cref="IndirectGemm"/>) whose rows are patch entries, whose depth runs over the
/// pixels through a table of their offsets, and whose B rows are the output gradient, pixel-major.
/// </summary>
public static partial class ImplicitConvolution
{
    /// <summary>Floats of one weight-gradient accumulator: C_in·KH·KW rows (in (ky, kx, c) order) of C_out rounded up to 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // as the expression the rule replaced was (too small not to be)
    public static int WeightGradientLength(in ConvolutionShape shape) => PackedSizes.WeightGradientRows(shape.OutputChannels, shape.PatchSize);

    /// <summary>
    /// Adds the weight gradient of one or more samples to <paramref name="gradient"/> (<see cref="WeightGradientLength"/>
    /// floats, zeroed by the caller before the first sample): <paramref name="borderedInput"/> is what
    /// <see cref="Forward(in ConvolutionShape, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, bool)"/>
    /// left for each sample (<see cref="BorderedInputLength"/> floats each, back to back), <paramref name="outputGradient"/>
    /// is dLoss/dOutput (C_out, OH, OW) for as many samples. <see cref="AddWeightGradient"/> then adds the sum into the
    /// (C_out, C_in, KH, KW) gradient.
    /// </summary>
    /// <remarks>
    /// The samples are one product whose depth runs over all their pixels, so each register tile's sum is loaded and
    /// stored once for all of them: with 196 pixels a tile is otherwise too short to hide its start and end
    /// (<see cref="KernelSupport.WeightGradientSamples"/> says how many samples the generated code passes).
    /// </remarks>
    public static void AccumulateWeightGradient(
        in ConvolutionShape shape, ReadOnlySpan<float> borderedInput, ReadOnlySpan<float> outputGradient, Span<float> gradient)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            AccumulateWeightGradient<Lanes512, Vector512<float>>(shape, borderedInput, outputGradient, gradient);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            AccumulateWeightGradient<Lanes256, Vector256<float>>(shape, borderedInput, outputGradient, gradient);
        }
        else
        {
            AccumulateWeightGradient<Lanes128, Vector128<float>>(shape, borderedInput, outputGradient, gradient);
        }
    }

    /// <summary><see cref="AccumulateWeightGradient(in ConvolutionShape, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> at one vector width (tests run every width).</summary>
    internal static void AccumulateWeightGradient<TLanes, TVector>(
        in ConvolutionShape shape, ReadOnlySpan<float> borderedInput, ReadOnlySpan<float> outputGradient, Span<float> gradient)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        shape.Validate();
        int borderedLength = BorderedInputLength(shape), pixels = shape.OutputPixels, filters = shape.OutputChannels;
        int samples = Math.Max(1, borderedInput.Length / borderedLength);
        ConvolutionShape.CheckLength(borderedInput.Length, (long)samples * borderedLength, nameof(borderedInput));
        ConvolutionShape.CheckLength(outputGradient.Length, (long)samples * filters * pixels, nameof(outputGradient));
        ConvolutionShape.CheckLength(gradient.Length, WeightGradientLength(shape), nameof(gradient));
        int width = shape.PaddedOutputChannels, depth = samples * pixels;

        // dY pixel-major in panels of one tile's columns (2 vectors), each panel's rows contiguous — every sample's
        // pixels, one sample after the other — and the channels past C_out zero: a tile then streams one contiguous
        // panel, as the GEMM's packed B.
        int panelWidth = 2 * TLanes.Count;
        Span<float> pixelMajor = KernelScratch.ConvolutionProduct(depth * PackedSizes.RoundUp(width, panelWidth));
        for (int first = 0; first < width; first += panelWidth)
        {
            int channels = Math.Min(panelWidth, filters - first), panelStride = Math.Min(panelWidth, width - first);
            for (int sample = 0; sample < samples; sample++)
            {
                Span<float> panel = pixelMajor.Slice((first * depth) + (sample * pixels * panelStride), pixels * panelStride);
                if (channels > 0)
                {
                    MatrixTranspose.Into(
                        channels,
                        pixels,
                        ref MemoryMarshal.GetReference(outputGradient.Slice((sample * filters * pixels) + (first * pixels))),
                        pixels,
                        ref MemoryMarshal.GetReference(panel),
                        panelStride,
                        accumulate: false);
                }

                for (int p = 0; channels < panelStride && p < pixels; p++)
                {
                    panel.Slice((p * panelStride) + Math.Max(channels, 0), panelStride - Math.Max(channels, 0)).Clear();
                }
            }
        }

        // Where each output pixel's top-left tap reads in the bordered inputs.
        Span<int> steps = KernelScratch.TapOffsets(depth);
        int step = 0;
        for (int sample = 0; sample < samples; sample++)
        {
            for (int oy = 0; oy < shape.OutputHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutputWidth; ox++)
                {
                    steps[step++] = (sample * borderedLength) + (((oy * shape.StrideY * shape.PaddedWidth) + (ox * shape.StrideX)) * shape.InputChannels);
                }
            }
        }

        AccumulateRows<TLanes, TVector>(
            shape,
            ref MemoryMarshal.GetReference(borderedInput),
            ref MemoryMarshal.GetReference(steps),
            depth,
            ref MemoryMarshal.GetReference(pixelMajor),
            width,
            ref MemoryMarshal.GetReference(gradient));
    }

    /// <summary>weightGradient (C_out, C_in, KH, KW) += the accumulator <paramref name="gradient"/>.</summary>
    /// <remarks>
    /// Per input channel c, the accumulator's rows (tap, c) — C_in rows apart — hold that channel's taps × C_out, and
    /// (C_out, c, taps) is their transpose: one transposing add by register blocks per channel, not a gather per weight
    /// (51,200 of them for the seed net's conv2: 80 µs against 15–20). Each weight gets the one addition it got before.
    /// </remarks>
    public static void AddWeightGradient(in ConvolutionShape shape, ReadOnlySpan<float> gradient, Span<float> weightGradient)
    {
        shape.Validate();
        ConvolutionShape.CheckLength(gradient.Length, WeightGradientLength(shape), nameof(gradient));
        ConvolutionShape.CheckLength(weightGradient.Length, (long)shape.OutputChannels * shape.PatchSize, nameof(weightGradient));
        int width = shape.PaddedOutputChannels, channels = shape.InputChannels, taps = shape.KernelHeight * shape.KernelWidth;
        ref float source = ref MemoryMarshal.GetReference(gradient);
        ref float destination = ref MemoryMarshal.GetReference(weightGradient);
        for (int c = 0; c < channels; c++)
        {
            MatrixTranspose.Into(
                taps,
                shape.OutputChannels,
                ref Unsafe.Add(ref source, (nint)c * width),
                (nint)channels * width,
                ref Unsafe.Add(ref destination, (nint)c * taps),
                shape.PatchSize,
                accumulate: true);
        }
    }

    /// <summary>Rows of the accumulator in tiles: row m = (ky, kx, c) reads the bordered input at its tap's offset, over <paramref name="depth"/> pixels.</summary>
    private static void AccumulateRows<TLanes, TVector>(
        in ConvolutionShape shape, ref float borderedInput, ref int steps, int depth, ref float pixelMajor, int width, ref float gradient)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        int patch = shape.PatchSize, groupWidth = 2 * TLanes.Count;
        Span<nint> rowOffsets = RowOffsets(shape);
        for (int group = 0; group < width; group += groupWidth)
        {
            bool two = width - group >= groupWidth;
            ref float b = ref Unsafe.Add(ref pixelMajor, (nint)group * depth);
            for (int first = 0; first < patch; first += TLanes.Rows)
            {
                int rows = Math.Min(TLanes.Rows, patch - first);
                ref float tile = ref Unsafe.Add(ref gradient, ((nint)first * width) + group);
                if (two)
                {
                    IndirectGemm.Tile<TLanes, TVector, TwoVectors>(rows, ref borderedInput, rowOffsets.Slice(first, rows), ref steps, depth, ref b, groupWidth, ref tile, width, accumulate: true);
                }
                else
                {
                    IndirectGemm.Tile<TLanes, TVector, OneVector>(rows, ref borderedInput, rowOffsets.Slice(first, rows), ref steps, depth, ref b, TLanes.Count, ref tile, width, accumulate: true);
                }
            }
        }
    }

    /// <summary>Where patch entry m = (ky, kx, c) of the first output pixel reads in the bordered input.</summary>
    private static Span<nint> RowOffsets(in ConvolutionShape shape)
    {
        Span<nint> offsets = KernelScratch.RowOffsets(shape.PatchSize);
        int channels = shape.InputChannels, m = 0;
        for (int ky = 0; ky < shape.KernelHeight; ky++)
        {
            for (int kx = 0; kx < shape.KernelWidth; kx++)
            {
                nint tap = (((nint)ky * shape.DilationY * shape.PaddedWidth) + ((nint)kx * shape.DilationX)) * channels;
                for (int c = 0; c < channels; c++)
                {
                    offsets[m++] = tap + c;
                }
            }
        }

        return offsets;
    }
}
