using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Packing the weights (C_out, C_in, KH, KW) into <see cref="ImplicitConvolution"/>'s column panels. A frozen network
/// does it once; one that is not does it on every forward call, since <c>Parameters</c> may have changed since the
/// last (a packed copy kept across calls would go stale), so it has to be cheap: with 2 or more threads the panels
/// are shared out (<see cref="ParallelGate"/>), each packed whole by one worker, so the result does not depend on
/// the thread count.
/// </summary>
public static partial class ImplicitConvolution
{
    /// <summary>
    /// Weights below this many floats are packed on one thread: ≈ 4 µs of packing, against a fork/join of 1 µs on a
    /// free core and several on a busy one. The seed net's conv2 (51,200) and ResNet-8's last convolutions (36,864) are split, its 16-channel ones (2,304) not.
    /// </summary>
    private const int MinParallelPackedWeights = 16 * 1024;

    private static void Pack(in ConvolutionShape shape, ReadOnlySpan<float> weight, Span<float> packed)
    {
        int panels = (shape.OutputChannels + Gemm.TileColumns - 1) / Gemm.TileColumns;
        if (weight.Length < MinParallelPackedWeights || !PackingJob.TryRun(shape, weight, packed, panels))
        {
            PackPanels(shape, ref MemoryMarshal.GetReference(weight), ref MemoryMarshal.GetReference(packed), 0, panels);
        }
    }

    /// <summary>
    /// Panels [firstPanel, endPanel). Per panel and input channel: the panel's output channels × that channel's taps
    /// (rows <c>patch</c> apart in the weight) transposed by register blocks into a small scratch that stays in L1,
    /// then copied out as whole rows tap·C_in + c of the panel. Those rows are <c>C_in · panelWidth</c> floats apart,
    /// 4 KB for the seed net's conv2, all in one L1 set: transposed in place, each row was evicted half written.
    /// </summary>
    private static void PackPanels(in ConvolutionShape shape, ref float weight, ref float packed, int firstPanel, int endPanel)
    {
        int panelWidth = Gemm.TileColumns;
        int outputChannels = shape.OutputChannels, channels = shape.InputChannels;
        int taps = shape.KernelHeight * shape.KernelWidth, patch = shape.PatchSize;
        Span<float> block = KernelScratch.Plane(taps * panelWidth); // (tap, output channel) for one input channel
        for (int p = firstPanel; p < endPanel; p++)
        {
            int panelStart = p * panelWidth, width = Math.Min(panelWidth, outputChannels - panelStart);
            ref float panel = ref Unsafe.Add(ref packed, (nint)panelStart * patch);
            if (width < panelWidth)
            {
                block.Clear(); // a narrow last panel's missing channels stay zero in every row
            }

            for (int c = 0; c < channels; c++)
            {
                MatrixTranspose.Into(
                    width,
                    taps,
                    ref Unsafe.Add(ref weight, ((nint)panelStart * patch) + (c * taps)),
                    patch,
                    ref MemoryMarshal.GetReference(block),
                    panelWidth,
                    accumulate: false);
                for (int tap = 0; tap < taps; tap++)
                {
                    block.Slice(tap * panelWidth, panelWidth).CopyTo(
                        MemoryMarshal.CreateSpan(ref Unsafe.Add(ref panel, (nint)((tap * channels) + c) * panelWidth), panelWidth));
                }
            }
        }
    }

    /// <summary>Whole panels per worker, through <see cref="ParallelGate"/>.</summary>
    private readonly unsafe struct PackingJob(ConvolutionShape shape, float* weight, float* packed) : IParallelJob
    {
        public static bool TryRun(in ConvolutionShape shape, ReadOnlySpan<float> weight, Span<float> packed, int panels)
        {
            fixed (float* w = weight, p = packed)
            {
                return ParallelGate.TryRun(new PackingJob(shape, w, p), panels);
            }
        }

        public void Run(int worker, int start, int end) => PackPanels(shape, ref *weight, ref *packed, start, end);
    }
}
