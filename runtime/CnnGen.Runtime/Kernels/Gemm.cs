using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Single-precision matrix multiply for the three operand layouts a CNN's forward and backward passes
/// need. All matrices are row-major and contiguous, and each span must hold exactly its matrix;
/// <c>accumulate</c> adds the product to C instead of overwriting it.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Variant</term><description>Used by</description></listheader>
/// <item><term>NN: C = A·B</term><description>conv forward (weights × im2col), dense input gradient (dY × W)</description></item>
/// <item><term>NT: C = A·Bᵀ</term><description>dense forward (X × Wᵀ), conv weight gradient (dY × im2colᵀ)</description></item>
/// <item><term>TN: C = Aᵀ·B</term><description>conv input gradient (Wᵀ × dY), dense weight gradient (dYᵀ × X)</description></item>
/// </list>
/// Every variant runs the same register-tiled micro-kernel (<see cref="GemmKernel{TLanes, TVector}"/>, at this
/// machine's widest vectors: 512, 256 or 128 bits) under the cache-blocked <see cref="GemmDriver"/>; transposition only changes the strides
/// the kernel reads A with and how B is packed. Two kinds of shape are streams instead: NT with at most
/// eight rows of A (dense forward at batch 1..8), or with C narrower than one tile (a conv weight gradient
/// with a 5 × 5 patch), is a sweep of dot products (<see cref="GemmDot"/>), and NN/TN with one row (dense
/// input gradient at batch 1) a sum of scaled rows (<see cref="GemmRowVector"/>); an NT whose B is much
/// bigger than A (dense forward at batch 64) runs transposed so the small operand is the one packed
/// (<see cref="GemmTransposed"/>). Scratch memory is per
/// thread and reused, so calls after the first allocate nothing. With <see cref="Parallelism.ThreadCount"/>
/// above 1, a product large enough to pay for a fork/join is split over blocks of C
/// (<see cref="GemmParallel"/>); depth is never split, so every element is summed in the same order and
/// the result is bit-identical for any thread count.
/// </remarks>
public static class Gemm
{
    /// <summary>C[m, n] (+)= A[m, k] · B[k, n].</summary>
    public static void MultiplyNN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        Validate(m, n, k, a.Length, b.Length, c.Length);
        if (IsTrivial(m, n, k, c, accumulate))
        {
            return;
        }

        if (m == 1)
        {
            GemmRowVector.Run(n, k, a, b, c, accumulate);
            return;
        }

        Blocked(m, n, k, ref MemoryMarshal.GetReference(a), k, 1, ref MemoryMarshal.GetReference(b), n, 1, ref MemoryMarshal.GetReference(c), accumulate);
    }

    /// <summary>C[m, n] (+)= A[m, k] · B[n, k]ᵀ.</summary>
    public static void MultiplyNT(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        Validate(m, n, k, a.Length, b.Length, c.Length);
        if (IsTrivial(m, n, k, c, accumulate))
        {
            return;
        }

        if (GemmDot.Pays(m, n, k))
        {
            ref float aStart = ref MemoryMarshal.GetReference(a);
            ref float bStart = ref MemoryMarshal.GetReference(b);
            ref float cStart = ref MemoryMarshal.GetReference(c);
            if (!GemmParallel.TryRunDot(m, n, k, ref aStart, ref bStart, ref cStart, accumulate))
            {
                GemmDot.Run(m, n, k, ref aStart, ref bStart, ref cStart, n, accumulate);
            }

            return;
        }

        if (GemmTransposed.Pays(m, n, k))
        {
            GemmTransposed.RunNT(m, n, k, a, b, c, accumulate);
            return;
        }

        Blocked(m, n, k, ref MemoryMarshal.GetReference(a), k, 1, ref MemoryMarshal.GetReference(b), 1, k, ref MemoryMarshal.GetReference(c), accumulate);
    }

    /// <summary>C[m, n] (+)= A[k, m]ᵀ · B[k, n].</summary>
    public static void MultiplyTN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        Validate(m, n, k, a.Length, b.Length, c.Length);
        if (IsTrivial(m, n, k, c, accumulate))
        {
            return;
        }

        if (m == 1)
        {
            GemmRowVector.Run(n, k, a, b, c, accumulate);
            return;
        }

        Blocked(m, n, k, ref MemoryMarshal.GetReference(a), 1, m, ref MemoryMarshal.GetReference(b), n, 1, ref MemoryMarshal.GetReference(c), accumulate);
    }

    /// <summary>MR × NR of the micro-kernel this machine runs: the units a parallel call splits C into.</summary>
    internal static int TileRows =>
        Vector512.IsHardwareAccelerated ? Lanes512.Rows : Vector256.IsHardwareAccelerated ? Lanes256.Rows : Lanes128.Rows;

    /// <inheritdoc cref="TileRows"/>
    internal static int TileColumns => 2 * (Vector512.IsHardwareAccelerated ? Lanes512.Count : Vector256.IsHardwareAccelerated ? Lanes256.Count : Lanes128.Count);

    private static void Blocked(
        int m, int n, int k, ref float a, nint aRowStride, nint aDepthStride, ref float b, nint bDepthStride, nint bColumnStride, ref float c, bool accumulate)
    {
        if (!GemmParallel.TryRunBlocked(m, n, k, ref a, aRowStride, aDepthStride, ref b, bDepthStride, bColumnStride, ref c, accumulate))
        {
            RunBlocked(m, n, k, ref a, aRowStride, aDepthStride, ref b, bDepthStride, bColumnStride, ref c, n, accumulate);
        }
    }

    /// <summary>The blocked driver with this machine's micro-kernel, on the calling thread.</summary>
    internal static void RunBlocked(
        int m, int n, int k, ref float a, nint aRowStride, nint aDepthStride, ref float b, nint bDepthStride, nint bColumnStride, ref float c, nint cRowStride, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            GemmDriver.Run<GemmKernel<Lanes512, Vector512<float>>>(m, n, k, ref a, aRowStride, aDepthStride, ref b, bDepthStride, bColumnStride, ref c, cRowStride, accumulate);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            GemmDriver.Run<GemmKernel<Lanes256, Vector256<float>>>(m, n, k, ref a, aRowStride, aDepthStride, ref b, bDepthStride, bColumnStride, ref c, cRowStride, accumulate);
        }
        else
        {
            GemmDriver.Run<GemmKernel<Lanes128, Vector128<float>>>(m, n, k, ref a, aRowStride, aDepthStride, ref b, bDepthStride, bColumnStride, ref c, cRowStride, accumulate);
        }
    }

    // Empty products: nothing to do, except that k = 0 with overwrite means C = 0.
    private static bool IsTrivial(int m, int n, int k, Span<float> c, bool accumulate)
    {
        if (m == 0 || n == 0)
        {
            return true;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                c.Clear();
            }

            return true;
        }

        return false;
    }

    private static void Validate(int m, int n, int k, int aLength, int bLength, int cLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckLength(aLength, (long)m * k, "a", "m·k", m, n, k);
        CheckLength(bLength, (long)k * n, "b", "k·n", m, n, k);
        CheckLength(cLength, (long)m * n, "c", "m·n", m, n, k);
    }

    private static void CheckLength(int actual, long expected, string name, string formula, int m, int n, int k)
    {
        if (actual != expected)
        {
            throw new ArgumentException(
                $"Expected {formula} = {expected} floats for m={m}, n={n}, k={k}, but the span holds {actual}.", name);
        }
    }
}
