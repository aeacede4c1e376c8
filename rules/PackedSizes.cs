using System.Runtime.CompilerServices;

#if CNNGEN_GENERATOR
namespace CnnGen.Generator.Rules;
#else
namespace CnnGen.Runtime.Rules;
#endif

/// <summary>
/// Floats of the buffers the runtime's kernels fill and the generator allocates: the convolutions' packed weights,
/// weight-gradient accumulator and bordered input, BatchNorm's saved statistics. The sizes hold on every machine,
/// so the roundings use the widest vector and panel; a narrower machine uses a prefix (its widths divide these).
/// </summary>
internal static class PackedSizes
{
    /// <summary>Floats of the widest vector any kernel runs (512 bits); the 256- and 128-bit ones (8, 4) divide it.</summary>
    public const int VectorWidth = 16;

    /// <summary>The widest column panel of any GEMM micro-kernel (two 512-bit vectors); every machine's panel divides it.</summary>
    public const int PanelWidth = 2 * VectorWidth;

    /// <summary><paramref name="value"/> rounded up to a multiple of <paramref name="multiple"/> (both positive).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundUp(int value, int multiple) => Vectors(value, multiple) * multiple;

    /// <summary>How many vectors of <paramref name="lanes"/> floats hold <paramref name="floats"/> floats: ⌈floats / lanes⌉.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Vectors(int floats, int lanes) => (floats + lanes - 1) / lanes;

    /// <summary>Channels rounded up to whole 32-wide panels: the implicit GEMM's packed weight columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundUpToPanels(int channels) => RoundUp(channels, PanelWidth);

    /// <summary>Channels rounded up to 16, whole vectors on every machine: the direct and weight-gradient kernels' rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundUpToVectors(int channels) => RoundUp(channels, VectorWidth);

    /// <summary>
    /// Floats of the weights packed for <c>ImplicitConvolution</c>: the patch <c>C_in·KH·KW</c> times the output
    /// channels rounded up to whole panels (also its input-gradient weights, channels swapped).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ImplicitConvolutionWeights(int outputChannels, int patch) => RoundUpToPanels(outputChannels) * patch;

    /// <summary>Floats of the weights packed for <c>DirectConvolution</c>: the patch times the output channels rounded up to 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DirectConvolutionWeights(int outputChannels, int patch) => RoundUpToVectors(outputChannels) * patch;

    /// <summary>Floats of one implicit-convolution weight-gradient accumulator: patch rows of the output channels rounded up to 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WeightGradientRows(int outputChannels, int patch) => RoundUpToVectors(outputChannels) * patch;

    /// <summary>
    /// Floats of the input copied channels-last inside the zero border every tap reads within (the implicit
    /// convolution's bordered input): <c>PaddedExtent(rows) · PaddedExtent(columns) · C_in</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BorderedInput(int paddedHeight, int paddedWidth, int channels) => paddedHeight * paddedWidth * channels;

    /// <summary>Floats BatchNorm's training forward saves for its backward: the C batch means, then the C values 1/√(var + ε).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BatchNormSavedStatistics(int channels) => 2 * channels;
}
