using System.Runtime.Intrinsics;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// The matrix–vector product (NT with one row of A: an unfrozen dense layer at batch 1) at every width
/// against the naive loop: row counts around the eight-row group (a ragged last group aliases the last row),
/// depths with and without a partial last vector, and depths past the prefetch distance, where each group's
/// prefetches run on into the next group's rows.
/// </summary>
public class GemmVectorTests
{
    private const double Tolerance = 2e-5;

    [Theory]
    [InlineData(MicroKernel.Vector512)]
    [InlineData(MicroKernel.Vector256)]
    [InlineData(MicroKernel.Vector128)]
    public void MatchesNaiveLoop(MicroKernel width)
    {
        if (!GemmReference.IsAccelerated(width))
        {
            return; // The dispatcher never takes this width here.
        }

        int seed = 500;
        foreach (int k in new[] { 16, 17, 31, 64, 100, 257, 300, 1031 })
        {
            foreach (int n in new[] { 1, 2, 7, 8, 9, 15, 16, 17, 63, 130 })
            {
                Check(width, n, k, accumulate: (n + k) % 2 == 0, seed++);
            }
        }

        // The seed net's dense1, and the same one row and one column longer (a ragged group and a partial vector).
        Check(width, 1000, 3136, accumulate: false, seed++);
        Check(width, 1001, 3137, accumulate: true, seed++);
    }

    private static void Check(MicroKernel width, int n, int k, bool accumulate, int seed)
    {
        float[] a = GemmReference.RandomValues(k, seed);
        float[] b = GemmReference.RandomValues(n * k, seed + 1000);
        float[] c0 = GemmReference.RandomValues(n, seed + 2000);
        float[] c = accumulate ? (float[])c0.Clone() : Enumerable.Repeat(float.NaN, n).ToArray();
        switch (width)
        {
            case MicroKernel.Vector512:
                GemmVector.Run<Lanes512, Vector512<float>>(n, k, ref a[0], ref b[0], ref c[0], accumulate);
                break;
            case MicroKernel.Vector256:
                GemmVector.Run<Lanes256, Vector256<float>>(n, k, ref a[0], ref b[0], ref c[0], accumulate);
                break;
            default:
                GemmVector.Run<Lanes128, Vector128<float>>(n, k, ref a[0], ref b[0], ref c[0], accumulate);
                break;
        }

        (double[] expected, double[] scale) = GemmReference.Multiply(GemmVariant.NT, 1, n, k, a, b, accumulate ? c0 : null);
        GemmReference.AssertClose(expected, scale, c, Tolerance, $"matrix–vector {width} {n}×{k} accumulate={accumulate}");
    }
}
