using System.Numerics.Tensors;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// c[n] (+)= a[k] · B[k, n] — the m = 1 case of NN and TN (a dense layer's input gradient at batch 1).
/// As a sum of scaled rows of B, c += a[p] · B[p, :], every row of B is read once, front to back, while
/// c stays in L1: a bandwidth-bound stream, where the register-tiled kernel would waste five of its six
/// rows and read B in 32-column strips.
/// </summary>
internal static class GemmRowVector
{
    public static void Run(int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        if (!accumulate)
        {
            c.Clear();
        }

        for (int p = 0; p < k; p++)
        {
            // Fused where the hardware has FMA; a separate multiply and add where it does not.
            TensorPrimitives.MultiplyAddEstimate(b.Slice(p * n, n), a[p], c, c);
        }
    }
}
