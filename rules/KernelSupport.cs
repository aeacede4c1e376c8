using System.Runtime.CompilerServices;

#if CNNGEN_GENERATOR
namespace CnnGen.Generator.Rules;
#else
namespace CnnGen.Runtime.Rules;
#endif

/// <summary>
/// Which shapes the runtime's kernels take. The generator asks these at plan time to choose a kernel (its own
/// choice among the ones that apply is a matter of speed, and stays in the generator); the kernels ask them to
/// refuse a shape they cannot run.
/// </summary>
internal static class KernelSupport
{
    /// <summary>Floats of the narrowest vector the kernels run (128 bits: SSE, Arm's AdvSimd).</summary>
    public const int NarrowestLanes = 4;

    /// <summary>
    /// A dense-panel needs at least this many vectors of units: a narrower panel does too few multiply-adds per step,
    /// each waiting on the last of its accumulator.
    /// </summary>
    public const int MinDensePanelVectors = 4;

    /// <summary>Pixels the implicit convolution's weight gradient wants in one call's depth at least (see <see cref="WeightGradientSamples"/>).</summary>
    public const int WeightGradientDepth = 784;

    /// <summary>The most samples the generated code passes to one weight-gradient call.</summary>
    public const int MaxWeightGradientSamples = 4;

    /// <summary>
    /// Samples per <c>ImplicitConvolution.AccumulateWeightGradient</c> call for a convolution with
    /// <paramref name="outputPixels"/> output pixels: enough for a depth of <see cref="WeightGradientDepth"/>, at most
    /// <see cref="MaxWeightGradientSamples"/>. Where the kernel's rows are patch entries (fewer than 16·k input channels),
    /// each register tile's sum is loaded and stored once per call, and over the 196 pixels of one 14 × 14 sample that
    /// start and end cost ≈ 5 %: measured on the seed net's conv2 in that form (512 bits, in one process, interleaved),
    /// 88.5 % of the FMA peak with one sample per call, 91.1 % with two, 93.3 % with four. With rows of output channels
    /// the kernel takes one sample at a time whatever the call holds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WeightGradientSamples(int outputPixels) =>
        System.Math.Max(1, System.Math.Min((WeightGradientDepth + outputPixels - 1) / outputPixels, MaxWeightGradientSamples));

    /// <summary><c>RowConvolution</c>: vectors run along the output row, so the stride across must be 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool RowConvolution(int strideX) => strideX == 1;

    /// <summary>
    /// Whether, along one axis, a convolution's input gradient runs as <c>ImplicitConvolution</c> of the output
    /// gradient: stride 1, and a padding no greater than the kernel's reach <c>D·(K − 1)</c>, so that the gradient
    /// convolution's own padding (<see cref="ConvolutionGeometry.InputGradientPadding"/>) is not negative.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InputGradientAsConvolution(int stride, int kernel, int dilation, int padding) =>
        stride == 1 && ConvolutionGeometry.InputGradientPadding(kernel, dilation, padding) >= 0;

    /// <summary><c>DensePanels</c> on vectors of <paramref name="lanes"/> floats: at least 4 vectors of units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool DensePanels(int outputs, int lanes) => PackedSizes.Vectors(outputs, lanes) >= MinDensePanelVectors;

    /// <summary>
    /// Whether <c>DensePanels</c> takes a layer of <paramref name="outputs"/> units on some machine: on the
    /// narrowest vectors, which make the most of them (more than 12 units).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool DensePanelsOnSomeMachine(int outputs) => DensePanels(outputs, NarrowestLanes);
}
