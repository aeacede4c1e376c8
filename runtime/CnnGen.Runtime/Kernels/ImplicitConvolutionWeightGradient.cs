using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CnnGen.Runtime.Rules;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// The weight gradient of a convolution whose forward ran as <see cref="ImplicitConvolution"/>, from the
/// bordered channels-last input the forward kept: no im2col columns. For output channel o and patch entry
/// m = (ky, kx, c), dW(o, c, ky, kx) = Σ over output pixels of dY(o, pixel) · input(pixel's tap (ky, kx), c):
/// an indirect GEMM (<see cref="IndirectGemm"/>) whose depth runs over the pixels through a table of their offsets.
/// With a multiple of 16 input channels its rows are output channels, read from dY where it is, and its columns a
/// tap's channels, read from the bordered input where they are (<see cref="ChannelColumns"/>); otherwise its rows
/// are patch entries and its B rows the output gradient, transposed pixel-major.
/// </summary>
public static partial class ImplicitConvolution
{
    /// <summary>
    /// Floats of one weight-gradient accumulator: C_in·KH·KW rows (in (ky, kx, c) order) of C_out rounded up to 16 —
    /// or, with <see cref="ChannelColumns"/>, C_out rows of the C_in·KH·KW patch entries, fewer floats.
    /// </summary>
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
    /// With <see cref="ChannelColumns"/> each sample is its own product (dY's rows are contiguous within a sample only),
    /// and each tile's few rows of dY and the sample's bordered input stay in the first-level cache across the taps;
    /// otherwise the samples are one product whose depth runs over all their pixels, so each register tile's sum is
    /// loaded and stored once for all of them (<see cref="KernelSupport.WeightGradientSamples"/> says how many samples
    /// the generated code passes).
    /// <para>
    /// Measured on the seed net's conv2 (512 bits, batch 64, in one process, interleaved, load ≈ 3): 85–87 % of the
    /// FMA peak as rows of output channels against 80–83 % as patch-entry rows; the same tiles over one sample whose
    /// data is in cache, 96 %, and the bare tile, 97 %; cycling over 16 samples, 92–94 %. What is left is mostly the
    /// batch's samples coming from memory (a software prefetch of the next sample did not show in the backward).
    /// </para>
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
        if (ChannelColumns(shape))
        {
            AccumulateChannelColumns<TLanes, TVector>(shape, borderedInput, outputGradient, gradient, samples);
            return;
        }

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

        Span<int> steps = PixelOffsets(shape, samples);

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
    /// With <see cref="ChannelColumns"/>, the accumulator's row o is (taps, C_in) and one transposing add per output
    /// channel writes it (C_in, taps). Otherwise, per input channel c, the accumulator's rows (tap, c) — C_in rows apart — hold that channel's taps × C_out, and
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
        if (ChannelColumns(shape))
        {
            // Row o holds (taps, C_in); the gradient wants (C_in, taps): one transposing add per output channel.
            int patch = shape.PatchSize;
            for (int o = 0; o < shape.OutputChannels; o++)
            {
                MatrixTranspose.Into(
                    taps, channels, ref Unsafe.Add(ref source, (nint)o * patch), channels, ref Unsafe.Add(ref destination, (nint)o * patch), taps, accumulate: true);
            }

            return;
        }

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

    /// <summary>
    /// Whether the accumulator's rows are output channels and its columns patch entries (ky, kx, c), read in whole
    /// vectors from the bordered input: C_in a multiple of 16, so that a tap's channels are whole vectors at every width.
    /// </summary>
    private static bool ChannelColumns(in ConvolutionShape shape) => shape.InputChannels % 16 == 0;

    /// <summary>
    /// The <see cref="ChannelColumns"/> product, one sample at a time: a tile of output channels reads their rows of dY
    /// in order (A, broadcast) and, per step, one output pixel's tap from the bordered input (B, through the table of
    /// pixel offsets: <see cref="TableAddressesB"/>), over the taps one after the other, so that the tile's rows of dY
    /// and the sample's bordered input are reused from the first-level cache. Neither operand is copied.
    /// </summary>
    private static void AccumulateChannelColumns<TLanes, TVector>(
        in ConvolutionShape shape, ReadOnlySpan<float> borderedInput, ReadOnlySpan<float> outputGradient, Span<float> gradient, int samples)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        int borderedLength = BorderedInputLength(shape), pixels = shape.OutputPixels, filters = shape.OutputChannels;
        int channels = shape.InputChannels, patch = shape.PatchSize, groupWidth = 2 * TLanes.Count;

        // Where each output pixel's top-left tap reads in its sample's bordered input, and where dY's rows start.
        Span<int> steps = PixelOffsets(shape, 1);
        Span<nint> rowOffsets = KernelScratch.RowOffsets(filters);
        for (int o = 0; o < filters; o++)
        {
            rowOffsets[o] = (nint)o * pixels;
        }

        ref int firstStep = ref MemoryMarshal.GetReference(steps);
        for (int sample = 0; sample < samples; sample++)
        {
            ref float input = ref Unsafe.AsRef(in borderedInput[sample * borderedLength]);
            ref float dY = ref Unsafe.AsRef(in outputGradient[sample * filters * pixels]);
            for (int first = 0; first < filters; first += TLanes.Rows)
            {
                int rows = Math.Min(TLanes.Rows, filters - first);
                ReadOnlySpan<nint> tileRows = rowOffsets.Slice(first, rows);
                ref float tileStart = ref Unsafe.Add(ref MemoryMarshal.GetReference(gradient), (nint)first * patch);
                for (int ky = 0; ky < shape.KernelHeight; ky++)
                {
                    for (int kx = 0; kx < shape.KernelWidth; kx++)
                    {
                        ref float tap = ref Unsafe.Add(ref input, (((nint)ky * shape.DilationY * shape.PaddedWidth) + ((nint)kx * shape.DilationX)) * channels);
                        for (int c = 0; c < channels; c += groupWidth)
                        {
                            ref float tile = ref Unsafe.Add(ref tileStart, (((ky * shape.KernelWidth) + kx) * channels) + c);
                            if (channels - c >= groupWidth)
                            {
                                IndirectGemm.Tile<TLanes, TVector, TwoVectors, TableAddressesB>(rows, ref dY, tileRows, ref firstStep, pixels, ref Unsafe.Add(ref tap, c), 0, ref tile, patch, accumulate: true);
                            }
                            else
                            {
                                // C_in a multiple of 16: what is left of the tap's channels is one whole vector.
                                IndirectGemm.Tile<TLanes, TVector, OneVector, TableAddressesB>(rows, ref dY, tileRows, ref firstStep, pixels, ref Unsafe.Add(ref tap, c), 0, ref tile, patch, accumulate: true);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Where each output pixel's top-left tap reads in the bordered inputs of <paramref name="samples"/> samples, back to
    /// back: the depth table of both forms of the weight gradient.
    /// </summary>
    private static Span<int> PixelOffsets(in ConvolutionShape shape, int samples)
    {
        int borderedLength = BorderedInputLength(shape);
        Span<int> steps = KernelScratch.TapOffsets(samples * shape.OutputPixels);
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

        return steps;
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
