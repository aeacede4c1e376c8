using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Max pooling with a 2 × 2 window and stride 2 (the common case), vectorised and branch-free. A
/// generated network calls it for every such layer; other windows are generated inline.
/// </summary>
/// <remarks>
/// <para>
/// Tensors are planes of <c>height × width</c> (any number of samples × channels back to back); the
/// output plane is <c>⌊height/2⌋ × ⌊width/2⌋</c>, as PyTorch's floor mode (a last odd row or column is
/// never read). Semantics are PyTorch's: NaN propagates; backward gives each window's gradient to the
/// first maximum in row-major order (the last NaN when the window holds NaN), and zero everywhere else.
/// </para>
/// <para>
/// Why a kernel: with data-dependent comparisons a scalar loop mispredicts about every other branch,
/// which made pooling the most expensive layer of LeNet-5. Forward is written once over
/// <see cref="ILanes{TVector}"/>: a vector of input columns of each row of a pair, their windows' maxima stored as
/// half a vector (<see cref="ILanes{TVector}.StoreWindowMaxima"/>), at the widest width whose vector
/// the row holds (so 512, 256 or 128 bits; rows narrower than 4 columns, and machines without SIMD, take a
/// scalar loop with the same results). Backward works on eight input columns of a row pair as one
/// <see cref="Vector256{T}"/> (column 2i+1 shifted onto 2i in every 64-bit lane); without 256-bit vectors
/// it takes the scalar rule.
/// </para>
/// </remarks>
public static class MaxPool
{
    private const int Block = 8; // input columns per Vector256 (backward)

    /// <summary>output[p, oy, ox] = max of input[p, 2oy..2oy+1, 2ox..2ox+1] for every plane p.</summary>
    public static void Forward2x2(ReadOnlySpan<float> input, Span<float> output, int planes, int height, int width)
    {
        (int outputHeight, int outputWidth) = Validate(input.Length, output.Length, planes, height, width, "output");
        ref float inputStart = ref MemoryMarshal.GetReference(input);
        ref float outputStart = ref MemoryMarshal.GetReference(output);

        // The widest vectors the row holds, two per step where it holds two: LeNet-5's 28 columns take one Vector512 per
        // step at 512 bits and two Vector256 at 256, its 10 one Vector256 at 512 bits and two Vector128 at 128.
        int columns = 2 * outputWidth;
        if (Vector512.IsHardwareAccelerated && columns >= Vector512<float>.Count)
        {
            Forward<Lanes512, Vector512<float>>(ref inputStart, ref outputStart, planes, height, width);
        }
        else if (Vector256.IsHardwareAccelerated && columns >= Vector256<float>.Count)
        {
            Forward<Lanes256, Vector256<float>>(ref inputStart, ref outputStart, planes, height, width);
        }
        else if (Vector128.IsHardwareAccelerated && columns >= Vector128<float>.Count)
        {
            Forward<Lanes128, Vector128<float>>(ref inputStart, ref outputStart, planes, height, width);
        }
        else
        {
            ForwardScalar(ref inputStart, ref outputStart, planes, height, width);
        }
    }

    /// <summary>Rows of at least one vector: two vectors per step where they hold two.</summary>
    internal static void Forward<TLanes, TVector>(ref float input, ref float output, int planes, int height, int width)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        if (width / 2 * 2 >= 2 * TLanes.Count)
        {
            Forward<TLanes, TVector, TwoVectors>(ref input, ref output, planes, height, width);
        }
        else
        {
            Forward<TLanes, TVector, OneVector>(ref input, ref output, planes, height, width);
        }
    }

    /// <summary>
    /// Every output row from its input row pair in steps of one vector of input columns (Count / 2 outputs,
    /// <see cref="ILanes{TVector}.StoreWindowMaxima"/>) or two (Count outputs: the rows' maxima, then
    /// <see cref="ILanes{TVector}.PairMaxima"/>, one narrowing and one store). A row's last step is moved back to end at its last
    /// window, recomputing a few outputs, instead of a scalar tail.
    /// </summary>
    /// <remarks>
    /// Steps of one vector let rows half as wide take the wider vectors: measured at 512 bits, LeNet-5's second pooling
    /// (10 columns) took 1.3× as long in blocks of two Vector128 as in steps of one Vector256, and its first (28 columns)
    /// 1.3× as long in two Vector256 as in one Vector512. Where no wider vector is accelerated, two vectors per step
    /// halve the steps (the seed net's 14 columns at 128 bits: two steps instead of four).
    /// </remarks>
    internal static void Forward<TLanes, TVector, TVectors>(ref float input, ref float output, int planes, int height, int width)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
        where TVectors : struct, ITileVectors
    {
        int outputHeight = height / 2, outputWidth = width / 2, columns = 2 * outputWidth;
        int count = TLanes.Count, step = TVectors.Two ? 2 * count : count;
        for (int plane = 0; plane < planes; plane++)
        {
            for (int oy = 0; oy < outputHeight; oy++)
            {
                ref float top = ref Unsafe.Add(ref input, ((nint)plane * height + 2 * oy) * width);
                ref float bottom = ref Unsafe.Add(ref top, width);
                ref float pooled = ref Unsafe.Add(ref output, ((nint)plane * outputHeight + oy) * outputWidth);
                for (int x = 0; ; x += step)
                {
                    x = Math.Min(x, columns - step);
                    if (TVectors.Two)
                    {
                        nuint second = (nuint)(x + count);
                        TVector left = TLanes.Max(TLanes.Load(ref top, (nuint)x), TLanes.Load(ref bottom, (nuint)x));
                        TVector right = TLanes.Max(TLanes.Load(ref top, second), TLanes.Load(ref bottom, second));
                        TLanes.Store(TLanes.PairMaxima(left, right), ref pooled, (nuint)x >> 1);
                    }
                    else
                    {
                        TLanes.StoreWindowMaxima(TLanes.Load(ref top, (nuint)x), TLanes.Load(ref bottom, (nuint)x), ref pooled, (nuint)x >> 1);
                    }

                    if (x == columns - step)
                    {
                        break;
                    }
                }
            }
        }
    }

    /// <summary>Rows narrower than one 128-bit vector (or no SIMD): one window at a time.</summary>
    private static void ForwardScalar(ref float input, ref float output, int planes, int height, int width)
    {
        int outputHeight = height / 2, outputWidth = width / 2;
        for (int plane = 0; plane < planes; plane++)
        {
            for (int oy = 0; oy < outputHeight; oy++)
            {
                ref float top = ref Unsafe.Add(ref input, ((nint)plane * height + 2 * oy) * width);
                ref float bottom = ref Unsafe.Add(ref top, width);
                ref float pooled = ref Unsafe.Add(ref output, ((nint)plane * outputHeight + oy) * outputWidth);
                for (int ox = 0; ox < outputWidth; ox++)
                {
                    Unsafe.Add(ref pooled, ox) = MathF.Max(
                        MathF.Max(Unsafe.Add(ref top, 2 * ox), Unsafe.Add(ref top, 2 * ox + 1)),
                        MathF.Max(Unsafe.Add(ref bottom, 2 * ox), Unsafe.Add(ref bottom, 2 * ox + 1)));
                }
            }
        }
    }

    /// <summary>
    /// Overwrites <paramref name="inputGradient"/>: each window's <paramref name="outputGradient"/> goes to
    /// the input pixel <see cref="Forward2x2"/> took, every other pixel gets 0.
    /// </summary>
    /// <param name="input">The forward input, from which the chosen pixels are recomputed.</param>
    /// <param name="outputGradient">dLoss/dOutput, the shape of the forward output.</param>
    /// <param name="inputGradient">dLoss/dInput, the shape of <paramref name="input"/>.</param>
    /// <param name="planes">Samples × channels.</param>
    /// <param name="height">Input plane height.</param>
    /// <param name="width">Input plane width.</param>
    public static void Backward2x2(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int planes, int height, int width)
    {
        (int outputHeight, int outputWidth) = Validate(input.Length, outputGradient.Length, planes, height, width, "outputGradient");
        if (inputGradient.Length != input.Length)
        {
            throw new ArgumentException($"The input gradient has {inputGradient.Length} floats but the input has {input.Length}.", nameof(inputGradient));
        }

        if (height % 2 != 0 || width % 2 != 0)
        {
            inputGradient.Clear(); // the last row or column is in no window
        }

        bool vectorized = Vector256.IsHardwareAccelerated && 2 * outputWidth >= Block;
        ref float inputStart = ref MemoryMarshal.GetReference(input);
        ref float gradientStart = ref MemoryMarshal.GetReference(inputGradient);
        ref float outputGradientStart = ref MemoryMarshal.GetReference(outputGradient);
        for (int plane = 0; plane < planes; plane++)
        {
            for (int oy = 0; oy < outputHeight; oy++)
            {
                nint rowOffset = ((nint)plane * height + 2 * oy) * width;
                ref float top = ref Unsafe.Add(ref inputStart, rowOffset);
                ref float topGradient = ref Unsafe.Add(ref gradientStart, rowOffset);
                ref float pooledGradient = ref Unsafe.Add(ref outputGradientStart, ((nint)plane * outputHeight + oy) * outputWidth);
                if (vectorized)
                {
                    BackwardRow(ref top, ref topGradient, ref pooledGradient, width, outputWidth);
                }
                else
                {
                    for (int ox = 0; ox < outputWidth; ox++)
                    {
                        BackwardWindow(ref Unsafe.Add(ref top, 2 * ox), ref Unsafe.Add(ref topGradient, 2 * ox), Unsafe.Add(ref pooledGradient, ox), width);
                    }
                }
            }
        }
    }

    // The gradient of one row pair, in blocks of 8 input columns as Forward, 4 outputs each; every lane works in the even
    // (64-bit-lane-low) positions and the results are interleaved back into columns 2i and 2i+1.
    private static void BackwardRow(ref float top, ref float topGradient, ref float pooledGradient, int width, int outputWidth)
    {
        int columns = 2 * outputWidth;
        for (int x = 0; ; x += Block)
        {
            x = Math.Min(x, columns - Block);
            Vector256<float> a = Vector256.LoadUnsafe(ref top, (nuint)x);
            Vector256<float> c = Vector256.LoadUnsafe(ref top, (nuint)(x + width));
            Vector256<float> p0 = a, p1 = NextColumn(a), p2 = c, p3 = NextColumn(c);
            Vector256<float> best = Vector256.Max(Vector256.Max(p0, p1), Vector256.Max(p2, p3));

            // First maximum in window order; when the window holds NaN (best is NaN, no lane equals
            // it), the last NaN, as the scalar rule "value > best || IsNaN(value)" picks.
            Vector256<float> e0 = Vector256.Equals(p0, best), e1 = Vector256.Equals(p1, best);
            Vector256<float> e2 = Vector256.Equals(p2, best), e3 = Vector256.Equals(p3, best);
            Vector256<float> n0 = Vector256.IsNaN(p0), n1 = Vector256.IsNaN(p1), n2 = Vector256.IsNaN(p2), n3 = Vector256.IsNaN(p3);
            Vector256<float> take0 = e0 | Vector256.AndNot(n0, n1 | n2 | n3);
            Vector256<float> take1 = Vector256.AndNot(e1, e0) | Vector256.AndNot(n1, n2 | n3);
            Vector256<float> take2 = Vector256.AndNot(e2, e0 | e1) | Vector256.AndNot(n2, n3);
            Vector256<float> take3 = Vector256.AndNot(e3, e0 | e1 | e2) | n3;

            // The 4 window gradients into the even lanes (odd lanes 0).
            Vector128<uint> pooled = Vector128.LoadUnsafe(ref pooledGradient, (nuint)(x / 2)).AsUInt32();
            Vector256<float> gradient = Vector256.WidenLower(Vector256.Create(pooled, pooled)).AsSingle();
            Interleave(take0 & gradient, take1 & gradient).StoreUnsafe(ref topGradient, (nuint)x);
            Interleave(take2 & gradient, take3 & gradient).StoreUnsafe(ref topGradient, (nuint)(x + width));
            if (x == columns - Block)
            {
                return;
            }
        }
    }

    // The scalar rule of one window at its top-left pixel, writing all four gradients.
    private static void BackwardWindow(ref float top, ref float topGradient, float gradient, int width)
    {
        int bestAt = 0;
        float best = top;
        for (int i = 1; i < 4; i++)
        {
            float value = Unsafe.Add(ref top, Offset(i, width));
            if (value > best || float.IsNaN(value))
            {
                best = value;
                bestAt = i;
            }
        }

        for (int i = 0; i < 4; i++)
        {
            Unsafe.Add(ref topGradient, Offset(i, width)) = i == bestAt ? gradient : 0f;
        }
    }

    private static nint Offset(int windowIndex, int width) => ((windowIndex >> 1) * width) + (windowIndex & 1);

    // Column 2i+1 moved onto column 2i in every 64-bit lane (odd lanes become 0).
    private static Vector256<float> NextColumn(Vector256<float> values) =>
        Vector256.ShiftRightLogical(values.AsUInt64(), 32).AsSingle();

    // even lanes of `even` to columns 2i, even lanes of `odd` to columns 2i+1 (their odd lanes are 0).
    private static Vector256<float> Interleave(Vector256<float> even, Vector256<float> odd) =>
        (even.AsUInt64() | Vector256.ShiftLeft(odd.AsUInt64(), 32)).AsSingle();

    private static (int Height, int Width) Validate(int inputLength, int outputLength, int planes, int height, int width, string outputName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(planes);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        int outputHeight = height / 2, outputWidth = width / 2;
        if (inputLength != (long)planes * height * width)
        {
            throw new ArgumentException($"The input has {inputLength} floats, not planes·height·width = {planes}·{height}·{width}.", "input");
        }

        if (outputLength != (long)planes * outputHeight * outputWidth)
        {
            throw new ArgumentException(
                $"{outputName} has {outputLength} floats, not planes·⌊height/2⌋·⌊width/2⌋ = {planes}·{outputHeight}·{outputWidth}.", outputName);
        }

        return (outputHeight, outputWidth);
    }
}
