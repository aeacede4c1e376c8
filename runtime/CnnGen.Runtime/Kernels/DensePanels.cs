using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CnnGen.Runtime.Rules;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// A dense layer for one sample over weights arranged once, ahead of time (a frozen network's copy):
/// output (N) = weight (N, K) · input (K). The weights are cut into panels of 4 to 8 vectors of output
/// columns, each stored input-major: the panel is one contiguous stream, read with one broadcast input
/// and up to 8 loads + multiply-adds per step. <see cref="Gemm.MultiplyNT"/> over PyTorch's (N, K) layout
/// instead walks 8 rows at once, short streams the prefetcher barely learns before they end; for a weight
/// that sits in L2 (LeNet-5's 192 KB dense1) the panels read it about 1.5 times as fast.
/// </summary>
/// <remarks>
/// The N columns, rounded up to whole vectors (the extra ones zero), are split evenly into panels of 4 to 8
/// vectors; a panel of w columns starting at column f starts at f·K and holds element (i, c) at i·w + c. The layout
/// depends on this machine's vector width, which is why only an in-process copy (<see cref="Packed"/>) holds it.
/// <para>
/// A weight too big to stay in cache (at least <see cref="StreamedBytes"/>) is read from L3 or memory on every
/// call, at the rate those deliver bytes. For one, the inputs that are zero (a ReLU's, typically a third or more)
/// are skipped: their rows of every panel are never read, so the call reads that much less. The sums are
/// unchanged bit for bit: each unit still adds its products in input order, and a skipped product is ±0,
/// which leaves every sum as it was — provided no weight is infinite or NaN (0 · ∞ is NaN), which
/// <see cref="Pack(int, int, ReadOnlySpan{float})"/> checks. The seed net's 3136 × 1000 dense1 (12.5 MB),
/// 32 % of its inputs zero: 109 → 87 µs within the network (perf). With 2 or more threads,
/// <see cref="DensePanelsParallel"/> shares the panels out.
/// </para>
/// </remarks>
public static class DensePanels
{
    private const int PanelVectors = 8;

    /// <summary>
    /// Weights of at least this many bytes skip zero inputs. Twice the biggest common L2 (2 MB): below it the
    /// weight is read from L2, fast enough that addressing rows through the list of nonzero inputs costs more than
    /// it saves (LeNet-5's 192 KB dense1: 1.43 µs with 30 % of its inputs skipped, 1.11 µs reading them all);
    /// a 1.6 MB weight broke even on this machine (1 MB of L2), 3.2 MB gained 13 %.
    /// </summary>
    public const int StreamedBytes = 4 << 20;

    /// <summary>The list of nonzero inputs lives on the stack: at most this many (64 KB).</summary>
    private const int MaxListedInputs = 16_384;

    /// <summary>Floats per vector on this machine: the unit the output columns are padded to.</summary>
    private static int VectorLength =>
        Vector512.IsHardwareAccelerated ? Vector512<float>.Count
        : Vector256.IsHardwareAccelerated ? Vector256<float>.Count
        : Vector128<float>.Count;

    /// <summary>Arranges weight (N, K), PyTorch's <c>Linear</c> layout, into panels; see the remarks.</summary>
    public static Packed Pack(int outputs, int inputs, ReadOnlySpan<float> weight) => Pack(outputs, inputs, weight, VectorLength);

    /// <summary>
    /// As <see cref="Pack(int, int, ReadOnlySpan{float})"/> for vectors of <paramref name="lanes"/> floats (16, 8 or 4),
    /// which <see cref="Forward"/> then uses: the tests run the narrower machines' layouts on this one.
    /// </summary>
    internal static Packed Pack(int outputs, int inputs, ReadOnlySpan<float> weight, int lanes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        if (!KernelSupport.DensePanels(outputs, lanes))
        {
            throw new ArgumentOutOfRangeException(
                nameof(outputs), outputs, $"DensePanels needs more than {(KernelSupport.MinDensePanelVectors - 1) * lanes} units ({KernelSupport.MinDensePanelVectors} vectors) on this machine.");
        }

        if (weight.Length != (long)outputs * inputs)
        {
            throw new ArgumentException($"DensePanels: a ({outputs}, {inputs}) weight has {(long)outputs * inputs} floats, not {weight.Length}.", nameof(weight));
        }

        var packed = new Packed(outputs, inputs, lanes, checked(PackedSizes.Vectors(outputs, lanes) * lanes * inputs));
        Span<float> panels = packed.Panels;
        int panelCount = PanelCount(packed);
        for (int p = 0; p < panelCount; p++)
        {
            (int firstVector, int vectors) = PanelOf(packed, panelCount, p);
            int first = firstVector * lanes, width = vectors * lanes;
            Span<float> panel = panels.Slice(first * inputs, width * inputs);
            for (int c = 0; c < width; c++)
            {
                int column = first + c;
                for (int i = 0; i < inputs; i++)
                {
                    panel[(i * width) + c] = column < outputs ? weight[(column * inputs) + i] : 0f;
                }
            }
        }

        packed.SkipsZeroInputs = (long)outputs * inputs * sizeof(float) >= StreamedBytes && inputs <= MaxListedInputs && AllFinite(weight);
        return packed;
    }

    /// <summary>
    /// output = weight · input, without bias, over weights from <see cref="Pack(int, int, ReadOnlySpan{float})"/>.
    /// Allocates nothing, and writes nothing shared but <paramref name="output"/>: calls may run at once, and one
    /// that finds <see cref="Parallelism"/>'s workers busy with another computes on its own thread.
    /// </summary>
    [SkipLocalsInit]
    public static void Forward(Packed weight, ReadOnlySpan<float> input, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Length != weight.Inputs || output.Length != weight.Outputs)
        {
            throw new ArgumentException(
                $"DensePanels: a ({weight.Outputs}, {weight.Inputs}) weight needs {weight.Inputs} inputs and {weight.Outputs} outputs, not {input.Length} and {output.Length}.");
        }

        bool listed = weight.SkipsZeroInputs;
        Span<int> list = listed ? stackalloc int[input.Length] : default;
        if (listed)
        {
            list = list[..ListNonzero(input, list)];
        }

        if (!DensePanelsParallel.TryRun(weight, input, list, listed, output))
        {
            ForwardPanels(weight, input, list, listed, output, 0, PanelCount(weight));
        }
    }

    /// <summary>Panels [<paramref name="firstPanel"/>, <paramref name="endPanel"/>): all inputs, or the <paramref name="listed"/> nonzero ones.</summary>
    internal static void ForwardPanels(Packed weight, ReadOnlySpan<float> input, ReadOnlySpan<int> list, bool listed, Span<float> output, int firstPanel, int endPanel)
    {
        if (listed)
        {
            ForwardPanels<ListedInputs>(weight, input, ref MemoryMarshal.GetReference(list), list.Length, output, firstPanel, endPanel);
        }
        else
        {
            int none = 0;
            ForwardPanels<AllInputs>(weight, input, ref none, input.Length, output, firstPanel, endPanel);
        }
    }

    private static void ForwardPanels<TInputs>(Packed weight, ReadOnlySpan<float> input, ref int list, int count, Span<float> output, int firstPanel, int endPanel)
        where TInputs : struct, IInputOrder
    {
        // The width the weight was arranged for: this machine's widest, unless a test asked for a narrower one.
        if (weight.Lanes == Vector512<float>.Count)
        {
            Panels<Lanes512, Vector512<float>, TInputs>(weight, input, ref list, count, output, firstPanel, endPanel);
        }
        else if (weight.Lanes == Vector256<float>.Count)
        {
            Panels<Lanes256, Vector256<float>, TInputs>(weight, input, ref list, count, output, firstPanel, endPanel);
        }
        else
        {
            Panels<Lanes128, Vector128<float>, TInputs>(weight, input, ref list, count, output, firstPanel, endPanel);
        }
    }

    /// <summary>Writes the indices of the inputs that are not ±0, in order, and returns how many.</summary>
    private static int ListNonzero(ReadOnlySpan<float> input, Span<int> nonzero)
    {
        // 8 inputs are compared at once and the set bits of the mask listed: 2.8 → ≈ 1 µs for 3136 inputs
        // (the seed net's dense1), against one compare and store per input.
        int count = 0, i = 0;
        ref float x = ref MemoryMarshal.GetReference(input);
        ref int list = ref MemoryMarshal.GetReference(nonzero);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= input.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> zero = Vector256.Equals(Vector256.LoadUnsafe(ref x, (nuint)i), Vector256<float>.Zero);
                for (uint mask = ~zero.ExtractMostSignificantBits() & 0xFF; mask != 0; mask &= mask - 1)
                {
                    Unsafe.Add(ref list, count++) = i + BitOperations.TrailingZeroCount(mask);
                }
            }
        }

        for (; i < input.Length; i++)
        {
            if (Unsafe.Add(ref x, i) != 0f)
            {
                Unsafe.Add(ref list, count++) = i;
            }
        }

        return count;
    }

    private static bool AllFinite(ReadOnlySpan<float> weight)
    {
        foreach (float value in weight)
        {
            if (!float.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }

    private static void Panels<TLanes, TVector, TInputs>(Packed weight, ReadOnlySpan<float> input, ref int list, int count, Span<float> output, int firstPanel, int endPanel)
        where TLanes : ILanes<TVector>
        where TVector : struct
        where TInputs : struct, IInputOrder
    {
        int panelCount = PanelCount(weight);
        ref float start = ref MemoryMarshal.GetReference(weight.Panels);
        for (int p = firstPanel; p < endPanel; p++)
        {
            (int firstVector, int vectors) = PanelOf(weight, panelCount, p);
            int first = firstVector * TLanes.Count;
            ref float panel = ref Unsafe.Add(ref start, (nint)first * weight.Inputs);
            Span<float> columns = output[first..Math.Min(weight.Outputs, first + (vectors * TLanes.Count))];
            switch (vectors)
            {
                case 8: Panel<TLanes, TVector, Width8, TInputs>(ref panel, input, ref list, count, columns); break;
                case 7: Panel<TLanes, TVector, Width7, TInputs>(ref panel, input, ref list, count, columns); break;
                case 6: Panel<TLanes, TVector, Width6, TInputs>(ref panel, input, ref list, count, columns); break;
                case 5: Panel<TLanes, TVector, Width5, TInputs>(ref panel, input, ref list, count, columns); break;
                default: Panel<TLanes, TVector, Width4, TInputs>(ref panel, input, ref list, count, columns); break;
            }
        }
    }

    /// <summary>
    /// One panel of TWidth (4 to 8) vectors: TWidth accumulators, one broadcast and TWidth loads + multiply-adds per
    /// input. The unused accumulators fold away (TWidth.Vectors is a JIT-time constant). TInputs says which inputs:
    /// all of them, or the <paramref name="count"/> listed from <paramref name="list"/> on.
    /// </summary>
    [SkipLocalsInit]
    private static void Panel<TLanes, TVector, TWidth, TInputs>(ref float panel, ReadOnlySpan<float> input, ref int list, int count, Span<float> columns)
        where TLanes : ILanes<TVector>
        where TVector : struct
        where TWidth : struct, IPanelWidth
        where TInputs : struct, IInputOrder
    {
        int width = TWidth.Vectors * TLanes.Count;
        nuint n = (nuint)TLanes.Count;
        TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        ref float x = ref MemoryMarshal.GetReference(input);
        for (int j = 0; j < count; j++)
        {
            int i = TInputs.Input(ref list, j);
            ref float row = ref Unsafe.Add(ref panel, (nint)i * width);
            TVector value = TLanes.Broadcast(Unsafe.Add(ref x, i));
            a0 = TLanes.MultiplyAdd(TLanes.Load(ref row, 0), value, a0);
            a1 = TLanes.MultiplyAdd(TLanes.Load(ref row, n), value, a1);
            a2 = TLanes.MultiplyAdd(TLanes.Load(ref row, 2 * n), value, a2);
            a3 = TLanes.MultiplyAdd(TLanes.Load(ref row, 3 * n), value, a3);
            if (TWidth.Vectors > 4) { a4 = TLanes.MultiplyAdd(TLanes.Load(ref row, 4 * n), value, a4); }
            if (TWidth.Vectors > 5) { a5 = TLanes.MultiplyAdd(TLanes.Load(ref row, 5 * n), value, a5); }
            if (TWidth.Vectors > 6) { a6 = TLanes.MultiplyAdd(TLanes.Load(ref row, 6 * n), value, a6); }
            if (TWidth.Vectors > 7) { a7 = TLanes.MultiplyAdd(TLanes.Load(ref row, 7 * n), value, a7); }
        }

        // The last panel's padding columns are stored to a buffer, not past the output.
        Span<float> sums = stackalloc float[PanelVectors * 16];
        ref float s = ref MemoryMarshal.GetReference(sums);
        TLanes.Store(a0, ref s, 0);
        TLanes.Store(a1, ref s, n);
        TLanes.Store(a2, ref s, 2 * n);
        TLanes.Store(a3, ref s, 3 * n);
        if (TWidth.Vectors > 4) { TLanes.Store(a4, ref s, 4 * n); }
        if (TWidth.Vectors > 5) { TLanes.Store(a5, ref s, 5 * n); }
        if (TWidth.Vectors > 6) { TLanes.Store(a6, ref s, 6 * n); }
        if (TWidth.Vectors > 7) { TLanes.Store(a7, ref s, 7 * n); }
        sums[..columns.Length].CopyTo(columns);
    }

    /// <summary>
    /// Whether <see cref="Pack(int, int, ReadOnlySpan{float})"/> takes a layer of <paramref name="outputs"/> units: at
    /// least 4 vectors of them.
    /// A narrower panel would do fewer than 4 multiply-adds per step, each waiting on the last one of its
    /// accumulator (10 units × 1,000 inputs: 0.95 µs, against 0.31 µs for <see cref="Gemm.MultiplyNT"/>).
    /// </summary>
    public static bool Takes(int outputs) => KernelSupport.DensePanels(outputs, VectorLength);

    internal static int PanelCount(Packed weight) => (PackedSizes.Vectors(weight.Outputs, weight.Lanes) + PanelVectors - 1) / PanelVectors;

    // Panel p of panelCount spreads the vectors evenly: 4 to 8 each whenever there are 4 or more.
    private static (int FirstVector, int Vectors) PanelOf(Packed weight, int panelCount, int p)
    {
        int vectors = PackedSizes.Vectors(weight.Outputs, weight.Lanes);
        int first = p * vectors / panelCount;
        return (first, ((p + 1) * vectors / panelCount) - first);
    }

    private interface IPanelWidth
    {
        static abstract int Vectors { get; }
    }

    private readonly struct Width4 : IPanelWidth { public static int Vectors => 4; }

    private readonly struct Width5 : IPanelWidth { public static int Vectors => 5; }

    private readonly struct Width6 : IPanelWidth { public static int Vectors => 6; }

    private readonly struct Width7 : IPanelWidth { public static int Vectors => 7; }

    private readonly struct Width8 : IPanelWidth { public static int Vectors => 8; }

    private interface IInputOrder
    {
        static abstract int Input(ref int list, int j);
    }

    private readonly struct AllInputs : IInputOrder { public static int Input(ref int list, int j) => j; }

    private readonly struct ListedInputs : IInputOrder { public static int Input(ref int list, int j) => Unsafe.Add(ref list, j); }

    /// <summary>
    /// A weight arranged by <see cref="Pack(int, int, ReadOnlySpan{float})"/>, for this process only. Its storage is
    /// pinned and starts on a 64-byte boundary, so no vector load of a panel straddles two cache lines (measured on a draft of this
    /// kernel, LeNet-5's dense1: 1.78 µs aligned against 2.02 µs at an offset of 16 bytes).
    /// </summary>
    public sealed class Packed
    {
        private readonly float[] _storage;
        private readonly int _start;
        private readonly int _length;

        internal Packed(int outputs, int inputs, int lanes, int length)
        {
            Outputs = outputs;
            Inputs = inputs;
            Lanes = lanes;
            _length = length;
            _storage = GC.AllocateArray<float>(length + 15, pinned: true);
            _start = KernelScratch.FloatsToCacheLine(_storage);
        }

        /// <summary>Units of the layer (N).</summary>
        public int Outputs { get; }

        /// <summary>Inputs of the layer (K).</summary>
        public int Inputs { get; }

        /// <summary>Floats per vector of the layout: this machine's widest unless a test chose.</summary>
        internal int Lanes { get; }

        /// <summary>Whether <see cref="Forward"/> skips the zero inputs: a weight of at least <see cref="StreamedBytes"/>, all finite.</summary>
        public bool SkipsZeroInputs { get; internal set; }

        internal Span<float> Panels => _storage.AsSpan(_start, _length);
    }
}
