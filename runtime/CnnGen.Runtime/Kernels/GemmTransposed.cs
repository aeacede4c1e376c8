using System.Runtime.InteropServices;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// C = A·Bᵀ computed as Cᵀ = B·Aᵀ when B is the big operand: the blocked driver must pack the B of an
/// NT product (its rows are the kernel's columns), but reads A in place, so swapping the roles packs
/// the small matrix instead and adds one transpose of C.
/// </summary>
/// <remarks>
/// Data moved per call: NT packs B, n·k floats; transposed packs A, m·k floats, and transposes C, m·n.
/// Dense forward at batch 64 (64 × 1000 × 3136) thus packs 0.2 M floats instead of 3.1 M (the whole
/// weight matrix, every call), and a convolution's per-sample weight gradient (64 × 800 × 196) moves
/// 64 K instead of 157 K. Each element of C is the same sum in the same order either way.
/// </remarks>
internal static class GemmTransposed
{
    /// <summary>
    /// Whether <see cref="Gemm.MultiplyNT"/> should take this path: B at least twice the data the swap adds, and C
    /// transposed by register blocks.
    /// </summary>
    public static bool Pays(int m, int n, int k) =>
        (TransposeBlock8.IsSupported || TransposeBlock4.IsSupported) && n >= 2 * m && (long)n * k >= 2 * (((long)m * k) + ((long)m * n));

    /// <summary>C[m, n] (+)= A[m, k] · B[n, k]ᵀ via a scratch Cᵀ[n, m] = B · Aᵀ.</summary>
    public static void RunNT(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        Span<float> transposed = KernelScratch.TransposedProduct(n * m);
        Gemm.MultiplyNT(n, m, k, b, a, transposed, accumulate: false);
        MatrixTranspose.Into(
            n, m, ref MemoryMarshal.GetReference(transposed), m, ref MemoryMarshal.GetReference(c), n, accumulate);
    }
}
