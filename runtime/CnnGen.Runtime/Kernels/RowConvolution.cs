using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CnnGen.Runtime.Rules;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Convolution forward for few output channels at unit horizontal stride (a first layer on grey images:
/// LeNet-5's 6 filters), with vectors along the output row instead of across output channels. A
/// channels-last tile would fill 6 of 16 lanes; here a tile of up to 8 output channels × one or two vectors of
/// neighbouring output pixels stays in registers for the whole patch, each step broadcasting one weight per
/// channel and loading the input pixels the tap reads — consecutive, because the stride is 1. The weights are
/// used as they are (C_out, C_in·KH·KW), and the output comes out planar: no packing, no transpose.
/// </summary>
/// <remarks>
/// Step t = (c, ky, kx) reads the run input[oy·SY·pitch + ox + tapOffset(t) ..] of the zero-bordered copy,
/// whose slack of two vectors past the end absorbs the lanes past the last pixel of a row. Those lanes are
/// stored too: a run that overhangs its row writes the start of the next row of the same channel, which a
/// later tile overwrites (rows go in order); only a run that would cross the end of its channel's plane goes
/// through a small buffer. The lanes spent past the row are the cost: 28 of every 32 compute for a 28-wide row.
/// </remarks>
public static class RowConvolution
{
    /// <summary>Whether <see cref="Forward"/> takes this shape: unit horizontal stride.</summary>
    public static bool Supports(in ConvolutionShape shape) => KernelSupport.RowConvolution(shape.StrideX);

    /// <summary>
    /// One sample: output (C_out, OH, OW) = convolution of input (C_in, H, W) with weight (C_out, C_in, KH, KW),
    /// plus bias (C_out; empty for none). Uses per-thread scratch; allocates nothing after the first call on a thread.
    /// </summary>
    public static void Forward(
        in ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output)
    {
        shape.CheckForward(input.Length, weight.Length, shape.OutputChannels * shape.PatchSize, bias.Length, output.Length);
        if (!Supports(shape))
        {
            throw new ArgumentException($"RowConvolution needs a horizontal stride of 1, not {shape.StrideX}: {shape}.", nameof(shape));
        }

        if (Vector512.IsHardwareAccelerated)
        {
            Compute<Lanes512, Vector512<float>>(shape, input, weight, output);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Compute<Lanes256, Vector256<float>>(shape, input, weight, output);
        }
        else
        {
            Compute<Lanes128, Vector128<float>>(shape, input, weight, output);
        }

        if (!bias.IsEmpty)
        {
            Bias.AddToRows(output, bias, shape.OutputChannels, shape.OutputPixels);
        }
    }

    /// <summary>The convolution without bias at one vector width; tests run every width.</summary>
    /// <remarks>The stack buffers are written before they are read, so they are not zeroed on every call.</remarks>
    [SkipLocalsInit]
    internal static void Compute<TLanes, TVector>(in ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        int lanes = TLanes.Count, tileRows = TLanes.Rows;
        ReadOnlySpan<float> planes = DirectConvolution.Bordered(shape, input, slack: 2 * lanes, out int pitch, out int plane);
        Span<int> taps = DirectConvolution.TapOffsets(shape, pitch, plane);
        int channels = shape.OutputChannels, height = shape.OutputHeight, width = shape.OutputWidth, patch = shape.PatchSize;
        int outputPlane = shape.OutputPixels;
        Span<nint> rowOffsets = stackalloc nint[tileRows];
        Span<float> edge = stackalloc float[tileRows * 2 * lanes];
        ref float weights = ref MemoryMarshal.GetReference(weight);
        ref int tapOffsets = ref MemoryMarshal.GetReference(taps);
        for (int oy = 0; oy < height; oy++)
        {
            for (int ox = 0; ox < width; ox += 2 * lanes)
            {
                int pixels = Math.Min(2 * lanes, width - ox);
                int run = pixels > lanes ? 2 * lanes : lanes;
                int at = (oy * width) + ox;
                bool crossesPlane = at + run > outputPlane;
                ref float b = ref Unsafe.Add(ref MemoryMarshal.GetReference(planes), ((nint)oy * shape.StrideY * pitch) + ox);
                for (int first = 0; first < channels; first += tileRows)
                {
                    int rows = Math.Min(tileRows, channels - first);
                    for (int r = 0; r < rows; r++)
                    {
                        rowOffsets[r] = (nint)(first + r) * patch;
                    }

                    ref float c = ref crossesPlane
                        ? ref MemoryMarshal.GetReference(edge)
                        : ref Unsafe.Add(ref MemoryMarshal.GetReference(output), ((nint)first * outputPlane) + at);
                    nint stride = crossesPlane ? run : outputPlane;
                    if (run > lanes)
                    {
                        IndirectGemm.Tile<TLanes, TVector, TwoVectors, TableAddressesB>(rows, ref weights, rowOffsets, ref tapOffsets, patch, ref b, 0, ref c, stride, accumulate: false);
                    }
                    else
                    {
                        IndirectGemm.Tile<TLanes, TVector, OneVector, TableAddressesB>(rows, ref weights, rowOffsets, ref tapOffsets, patch, ref b, 0, ref c, stride, accumulate: false);
                    }

                    for (int r = 0; crossesPlane && r < rows; r++)
                    {
                        edge.Slice(r * run, pixels).CopyTo(output.Slice(((first + r) * outputPlane) + at));
                    }
                }
            }
        }
    }
}
