using System.Runtime.CompilerServices;

#if CNNGEN_GENERATOR
namespace CnnGen.Generator.Rules;
#else
namespace CnnGen.Runtime.Rules;
#endif

/// <summary>
/// Convolution geometry along one axis (rows or columns) that the generator plans with and the runtime's kernels
/// compute with. The forward output-size formula itself is the generator's alone (<c>AxisGeometry</c>): the
/// runtime is handed output sizes, and these rules are what follows from them.
/// </summary>
internal static class ConvolutionGeometry
{
    /// <summary>
    /// The input extent, zero border included, that the windows of <paramref name="output"/> outputs read inside:
    /// <c>(O − 1)·S + D·(K − 1) + 1</c> — the output-size formula solved for a padded input that leaves no remainder.
    /// Padding past it is never read (the runtime's bordered copies stop there; the bottom/right padding follows).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PaddedExtent(int output, int kernel, int stride, int dilation) =>
        ((output - 1) * stride) + ((kernel - 1) * dilation) + 1;

    /// <summary>
    /// The leading padding of the convolution that computes a stride-1 convolution's input gradient from its output
    /// gradient (kernel flipped, channels swapped): <c>D·(K − 1) − P</c>; negative when the forward padding exceeds
    /// the kernel's reach (see <see cref="KernelSupport.InputGradientAsConvolution"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int InputGradientPadding(int kernel, int dilation, int padding) => (dilation * (kernel - 1)) - padding;
}
