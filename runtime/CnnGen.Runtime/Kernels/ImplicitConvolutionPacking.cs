using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Packing the weights (C_out, C_in, KH, KW) into <see cref="ImplicitConvolution"/>'s column panels. A frozen network
/// does it once; one that is not does it on every forward call, since <c>Parameters</c> may have changed since the
/// last (a packed copy kept across calls would go stale), so it has to be cheap.
/// </summary>
/// <remarks>
/// <see cref="PackWeights"/> runs on one thread. The seed net's conv2 (51,200 weights) packs in 11–15 µs alone and
/// 18–21 µs inside the network, where dense1's 12.5 MB stream has pushed the weights out of L2 since the last call
/// (medians, load average 12–18; the former scratch transpose of the whole weight then row copies took 19–24 µs there).
/// Shared out by panels over two threads in a fork of its own it took 22 µs against 11 µs on one (min of 300 rounds,
/// load average 30): a fork/join costs ≈ 1 µs on a free core but several on a busy one
/// (<see cref="GemmParallel.MinBlockedFlops"/>). One sample packed within its convolution
/// (<see cref="PackAndForward"/>) shares the panels out inside the convolution's own fork instead
/// (<see cref="ImplicitConvolutionParallel"/>).
/// <para>
/// With more than one thread a row that already holds the new bits is not stored again (<see cref="StoreRow"/>):
/// the last call's split convolution (or its samples on several workers) left the packed weights in both cores' caches,
/// and rewriting them invalidated the other core's copy line by line — the seed net's conv2 packed in 43 µs (median;
/// p10 19) against 17 (p10 11) comparing first (300 rounds of 10 calls inside the unfrozen network, interleaved, load
/// average 6–7). On one thread no other core holds them and comparing bought nothing sure: the seed net's pack went
/// from 16.7 to 10.1 µs (clean lines), but ResNet-8's many small rows cost 1–2 % of its forward (whole-network A/B).
/// </para>
/// </remarks>
public static partial class ImplicitConvolution
{
    /// <summary>
    /// Panels [firstPanel, endPanel). Per panel and input channel: the panel's output channels × that channel's taps
    /// (rows <c>patch</c> apart in the weight) transposed by register blocks into a small scratch that stays in L1,
    /// then copied out as whole rows tap·C_in + c of the panel. Those rows are <c>C_in · panelWidth</c> floats apart,
    /// 4 KB for the seed net's conv2, all in one L1 set: transposed in place, each row was evicted half written.
    /// </summary>
    internal static void PackPanels(in ConvolutionShape shape, ReadOnlySpan<float> weight, ref float packed, int firstPanel, int endPanel)
    {
        bool compare = Parallelism.ThreadCount > 1; // see the remarks: another core may hold the packed rows
        int panelWidth = Gemm.TileColumns;
        int outputChannels = shape.OutputChannels, channels = shape.InputChannels;
        int taps = shape.KernelHeight * shape.KernelWidth, patch = shape.PatchSize;
        Span<float> block = KernelScratch.Plane(taps * panelWidth); // (tap, output channel) for one input channel
        ref float source = ref MemoryMarshal.GetReference(weight);
        for (int panelStart = firstPanel * panelWidth; panelStart < Math.Min(outputChannels, endPanel * panelWidth); panelStart += panelWidth)
        {
            int width = Math.Min(panelWidth, outputChannels - panelStart);
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
                    ref Unsafe.Add(ref source, (panelStart * patch) + (c * taps)),
                    patch,
                    ref MemoryMarshal.GetReference(block),
                    panelWidth,
                    accumulate: false);
                ref float rows = ref MemoryMarshal.GetReference(block);
                for (int tap = 0; tap < taps; tap++)
                {
                    StoreRow(ref Unsafe.Add(ref rows, tap * panelWidth), ref Unsafe.Add(ref panel, (nint)((tap * channels) + c) * panelWidth), compare);
                }
            }
        }
    }

    /// <summary>
    /// One packed row, <see cref="Gemm.TileColumns"/> floats (two of this machine's widest vectors), from
    /// <paramref name="row"/> into <paramref name="destination"/>, unless <paramref name="ifChanged"/> and it already
    /// holds those bits. Two loads and two stores: with a span copy (and span compare) per row, the seed net's conv2
    /// packed in 14.3 µs against 11.8 on one thread and 11.7 against 9.7 on two (p10 of 48,000 calls, weights in
    /// cache, one process interleaved, load average 3–4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ref float row, ref float destination, bool ifChanged)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            StoreRow<Lanes512, Vector512<float>>(ref row, ref destination, ifChanged);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            StoreRow<Lanes256, Vector256<float>>(ref row, ref destination, ifChanged);
        }
        else
        {
            StoreRow<Lanes128, Vector128<float>>(ref row, ref destination, ifChanged);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TLanes, TVector>(ref float row, ref float destination, bool ifChanged)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        nuint half = (nuint)TLanes.Count;
        TVector low = TLanes.Load(ref row, 0), high = TLanes.Load(ref row, half);
        if (!ifChanged || !TLanes.BitsEqual(low, TLanes.Load(ref destination, 0)) || !TLanes.BitsEqual(high, TLanes.Load(ref destination, half)))
        {
            TLanes.Store(low, ref destination, 0);
            TLanes.Store(high, ref destination, half);
        }
    }
}
