using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CnnGen.Runtime.Rules;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Convolution forward for a shallow patch (few input channels: a first layer on grey images, LeNet-5's
/// second layer), where im2col would copy the input KH·KW times for a small product and the implicit GEMM's
/// one call per kernel row would be only a few steps deep. A tile of output pixels × one or two vectors of
/// output channels stays in registers for the whole patch; each step reads its pixels' input values through
/// a table of tap offsets (an indirect convolution), straight from the planar input — or from a copy inside
/// a zero border when the layer pads.
/// </summary>
/// <remarks>
/// Step t of the patch, t = (c, ky, kx), multiplies the packed weight row W[·, t] (the output channels,
/// contiguous) by the value each pixel of the tile reads at that tap: input[pixelOffset + tapOffset(t)]
/// with tapOffset(t) = c·plane + ky·DY·pitch + kx·DX. The product comes out pixel-major and is transposed
/// into (C_out, OH, OW) with the bias, as <see cref="ImplicitConvolution"/>'s is. Pixel tiles run across
/// output rows, so every tile but the last is full whatever the output width.
/// </remarks>
public static class DirectConvolution
{
    /// <summary>Floats <see cref="PackWeights"/> writes for this shape: the patch × output channels rounded up to 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // as the expression the rule replaced was (too small not to be)
    public static int PackedWeightLength(in ConvolutionShape shape) => PackedSizes.DirectConvolutionWeights(shape.OutputChannels, shape.PatchSize);

    /// <summary>
    /// Packs weights (C_out, C_in, KH, KW) for <see cref="Forward"/>: transposed to (C_in·KH·KW) rows of the
    /// output channels, each row zero-padded to a multiple of 16 (every machine's vectors divide it).
    /// </summary>
    public static void PackWeights(in ConvolutionShape shape, ReadOnlySpan<float> weight, Span<float> packed)
    {
        shape.Validate();
        int outputChannels = shape.OutputChannels, patch = shape.PatchSize, width = shape.PaddedOutputChannels;
        ConvolutionShape.CheckLength(weight.Length, (long)outputChannels * patch, nameof(weight));
        ConvolutionShape.CheckAtLeast(packed.Length, PackedWeightLength(shape), nameof(packed));
        MatrixTranspose.Into(
            outputChannels, patch, ref MemoryMarshal.GetReference(weight), patch, ref MemoryMarshal.GetReference(packed), width, accumulate: false);
        for (int t = 0; width > outputChannels && t < patch; t++)
        {
            packed.Slice((t * width) + outputChannels, width - outputChannels).Clear();
        }
    }

    /// <summary>
    /// One sample: output (C_out, OH, OW) = convolution of input (C_in, H, W) with the packed weights, plus
    /// bias (C_out; empty for none). Uses per-thread scratch; allocates nothing after the first call on a thread.
    /// </summary>
    public static void Forward(
        in ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> packedWeights, ReadOnlySpan<float> bias, Span<float> output)
    {
        shape.CheckForward(input.Length, packedWeights.Length, PackedWeightLength(shape), bias.Length, output.Length);
        int width = shape.PaddedOutputChannels;
        Span<float> product = KernelScratch.ConvolutionProduct(shape.OutputPixels * width);
        if (Vector512.IsHardwareAccelerated)
        {
            ComputeProduct<Lanes512, Vector512<float>>(shape, input, packedWeights, product);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            ComputeProduct<Lanes256, Vector256<float>>(shape, input, packedWeights, product);
        }
        else
        {
            ComputeProduct<Lanes128, Vector128<float>>(shape, input, packedWeights, product);
        }

        MatrixTranspose.Into(
            shape.OutputPixels,
            shape.OutputChannels,
            ref MemoryMarshal.GetReference(product),
            width,
            ref MemoryMarshal.GetReference(output),
            shape.OutputPixels,
            accumulate: false);
        if (!bias.IsEmpty)
        {
            Bias.AddToRows(output, bias, shape.OutputChannels, shape.OutputPixels);
        }
    }

    /// <summary>The pixel-major product (pixels × <see cref="ConvolutionShape.PaddedOutputChannels"/>) at one vector width; tests run every width.</summary>
    internal static void ComputeProduct<TLanes, TVector>(
        in ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> packedWeights, Span<float> product)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        ReadOnlySpan<float> planes = Bordered(shape, input, slack: 0, out int pitch, out int plane);
        Span<int> taps = TapOffsets(shape, pitch, plane);
        ConvolutionShape.CheckAtLeast(product.Length, shape.OutputPixels * shape.PaddedOutputChannels, nameof(product));
        Compute<TLanes, TVector>(
            shape,
            ref MemoryMarshal.GetReference(planes),
            pitch,
            ref MemoryMarshal.GetReference(taps),
            ref MemoryMarshal.GetReference(packedWeights),
            shape.PaddedOutputChannels,
            ref MemoryMarshal.GetReference(product));
    }

    /// <summary>
    /// The input itself when no tap reads outside it (no padding, and <paramref name="slack"/> floats may be
    /// read past its end), else a copy of it inside a zero border of PaddedHeight × PaddedWidth per channel,
    /// followed by <paramref name="slack"/> zeros; <paramref name="pitch"/> and <paramref name="plane"/> are the
    /// row and channel strides of what it returns.
    /// </summary>
    internal static ReadOnlySpan<float> Bordered(in ConvolutionShape shape, ReadOnlySpan<float> input, int slack, out int pitch, out int plane)
    {
        int channels = shape.InputChannels, height = shape.InputHeight, width = shape.InputWidth;
        int paddedHeight = shape.PaddedHeight, paddedWidth = shape.PaddedWidth;
        if (shape.PaddingTop == 0 && shape.PaddingLeft == 0 && paddedHeight <= height && paddedWidth <= width && slack == 0)
        {
            pitch = width;
            plane = height * width;
            return input;
        }

        bool copiesBorder = shape.PaddingTop != 0 || shape.PaddingLeft != 0 || paddedHeight > height || paddedWidth > width;
        pitch = copiesBorder ? paddedWidth : width;
        plane = copiesBorder ? paddedHeight * paddedWidth : height * width;
        Span<float> bordered = KernelScratch.ConvolutionInput((channels * plane) + slack);
        if (!copiesBorder)
        {
            input.CopyTo(bordered);
            bordered.Slice(input.Length).Clear();
            return bordered;
        }

        bordered.Clear();

        // Rows and columns past the padded extent are never read by any tap (a stride that does not divide).
        int rows = Math.Min(height, paddedHeight - shape.PaddingTop), columns = Math.Min(width, paddedWidth - shape.PaddingLeft);
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < rows && columns > 0; y++)
            {
                input.Slice((((c * height) + y) * width), columns)
                    .CopyTo(bordered.Slice((c * plane) + ((y + shape.PaddingTop) * pitch) + shape.PaddingLeft));
            }
        }

        return bordered;
    }

    /// <summary>Offset of tap (c, ky, kx) from a pixel's top-left input value, in patch order (the weights' order).</summary>
    internal static Span<int> TapOffsets(in ConvolutionShape shape, int pitch, int plane)
    {
        Span<int> taps = KernelScratch.TapOffsets(shape.PatchSize);
        int t = 0;
        for (int c = 0; c < shape.InputChannels; c++)
        {
            for (int ky = 0; ky < shape.KernelHeight; ky++)
            {
                for (int kx = 0; kx < shape.KernelWidth; kx++)
                {
                    taps[t++] = (c * plane) + (ky * shape.DilationY * pitch) + (kx * shape.DilationX);
                }
            }
        }

        return taps;
    }

    private static void Compute<TLanes, TVector>(
        in ConvolutionShape shape, ref float planes, int pitch, ref int taps, ref float weights, int width, ref float product)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        int pixels = shape.OutputPixels, outputWidth = shape.OutputWidth, patch = shape.PatchSize;
        int groupWidth = 2 * TLanes.Count;
        Span<nint> offsets = stackalloc nint[TLanes.Rows];
        for (int group = 0; group < width; group += groupWidth)
        {
            bool two = width - group >= groupWidth;
            ref float groupWeights = ref Unsafe.Add(ref weights, group);
            int oy = 0, ox = 0;
            for (int first = 0; first < pixels; first += TLanes.Rows)
            {
                int rows = Math.Min(TLanes.Rows, pixels - first);
                for (int r = 0; r < rows; r++)
                {
                    offsets[r] = ((nint)oy * shape.StrideY * pitch) + ((nint)ox * shape.StrideX);
                    if (++ox == outputWidth)
                    {
                        ox = 0;
                        oy++;
                    }
                }

                ref float tile = ref Unsafe.Add(ref product, ((nint)first * width) + group);
                if (two)
                {
                    IndirectGemm.Tile<TLanes, TVector, TwoVectors>(rows, ref planes, offsets, ref taps, patch, ref groupWeights, width, ref tile, width, accumulate: false);
                }
                else
                {
                    IndirectGemm.Tile<TLanes, TVector, OneVector>(rows, ref planes, offsets, ref taps, patch, ref groupWeights, width, ref tile, width, accumulate: false);
                }
            }
        }
    }
}
