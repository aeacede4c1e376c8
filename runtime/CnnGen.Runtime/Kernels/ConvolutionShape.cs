using System.Runtime.CompilerServices;
using CnnGen.Runtime.Rules;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// One 2-D convolution's geometry, as the generator computed it: input (C, H, W), output channels and
/// size, kernel, stride, dilation and the top/left padding. Bottom/right padding follows from the output
/// size (taps that would read past it are never taken).
/// </summary>
public readonly record struct ConvolutionShape(
    int InputChannels,
    int InputHeight,
    int InputWidth,
    int OutputChannels,
    int OutputHeight,
    int OutputWidth,
    int KernelHeight,
    int KernelWidth,
    int StrideY,
    int StrideX,
    int DilationY,
    int DilationX,
    int PaddingTop,
    int PaddingLeft)
{
    /// <summary>C_in · KH · KW: the depth of the product, the length of one output channel's weights.</summary>
    public int PatchSize => InputChannels * KernelHeight * KernelWidth;

    /// <summary>OH · OW.</summary>
    public int OutputPixels => OutputHeight * OutputWidth;

    /// <summary>C_out rounded up to 16, a whole number of vectors on every machine: the direct and weight-gradient kernels' row length.</summary>
    internal int PaddedOutputChannels
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // as the formula it was: the rule's call must not cost a call
        get => PackedSizes.RoundUpToVectors(OutputChannels);
    }

    /// <summary>Rows of the zero-bordered input every tap of every output pixel reads inside of.</summary>
    public int PaddedHeight
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ConvolutionGeometry.PaddedExtent(OutputHeight, KernelHeight, StrideY, DilationY);
    }

    /// <summary>Columns of the zero-bordered input every tap of every output pixel reads inside of.</summary>
    public int PaddedWidth
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ConvolutionGeometry.PaddedExtent(OutputWidth, KernelWidth, StrideX, DilationX);
    }

    /// <summary>Throws unless every size is positive and the padding is non-negative.</summary>
    public void Validate()
    {
        if (InputChannels < 1 || InputHeight < 1 || InputWidth < 1 || OutputChannels < 1 || OutputHeight < 1 || OutputWidth < 1
            || KernelHeight < 1 || KernelWidth < 1 || StrideY < 1 || StrideX < 1 || DilationY < 1 || DilationX < 1
            || PaddingTop < 0 || PaddingLeft < 0)
        {
            throw new ArgumentException($"Not a valid convolution: {this}.");
        }
    }

    /// <summary>
    /// Throws unless the shape is valid and the spans of one sample's forward fit it: input (C_in, H, W),
    /// at least <paramref name="packedWeights"/> packed floats, bias (C_out) or none, output (C_out, OH, OW).
    /// </summary>
    internal void CheckForward(int input, int packedWeights, int packedWeightLength, int bias, int output)
    {
        Validate();
        CheckLength(input, (long)InputChannels * InputHeight * InputWidth, nameof(input));
        CheckAtLeast(packedWeights, packedWeightLength, nameof(packedWeights));
        if (bias != 0)
        {
            CheckLength(bias, OutputChannels, nameof(bias));
        }

        CheckLength(output, (long)OutputChannels * OutputPixels, nameof(output));
    }

    internal static void CheckLength(int actual, long expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {expected} floats for this convolution, but the span holds {actual}.", name);
        }
    }

    internal static void CheckAtLeast(int actual, int expected, string name)
    {
        if (actual < expected)
        {
            throw new ArgumentException($"Expected at least {expected} floats for this convolution, but the span holds {actual}.", name);
        }
    }
}
