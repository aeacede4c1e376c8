using System.Runtime.Intrinsics;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>The vector widths the kernels are compiled for: tests run each one the machine accelerates.</summary>
public enum MicroKernel
{
    Vector512,
    Vector256,
    Vector128,
}

/// <summary>
/// Each GEMM path driven directly, so the 256- and 128-bit kernels are checked on this AVX-512 machine
/// too, and the dot-product and row-vector paths are checked at sizes the dispatcher would not send them.
/// </summary>
public class GemmKernelTests
{
    private const double Tolerance = 2e-5;

    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 40, 9), (2, 17, 3), (5, 33, 300), (6, 32, 256), (6, 16, 8), (7, 8, 1), (7, 31, 17),
        (12, 64, 513), (13, 600, 20), (19, 5, 100), (33, 1100, 9), (64, 196, 260),
    ];

    public static TheoryData<MicroKernel, GemmVariant> KernelsAndVariants()
    {
        var data = new TheoryData<MicroKernel, GemmVariant>();
        foreach (MicroKernel kernel in Enum.GetValues<MicroKernel>())
        {
            foreach (GemmVariant variant in Enum.GetValues<GemmVariant>())
            {
                data.Add(kernel, variant);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KernelsAndVariants))]
    public void BlockedDriverMatchesNaiveLoop(MicroKernel kernel, GemmVariant variant)
    {
        if (!GemmReference.IsAccelerated(kernel))
        {
            return; // The instruction set is missing; the dispatcher would never pick this kernel here.
        }

        int seed = 100;
        foreach ((int m, int n, int k) in Shapes)
        {
            foreach (bool accumulate in new[] { false, true })
            {
                float[] a = GemmReference.RandomValues(m * k, seed++);
                float[] b = GemmReference.RandomValues(k * n, seed++);
                float[] c0 = GemmReference.RandomValues(m * n, seed++);
                float[] c = accumulate ? (float[])c0.Clone() : Enumerable.Repeat(float.NaN, m * n).ToArray();
                RunDriver(kernel, variant, m, n, k, a, b, c, accumulate);
                (double[] expected, double[] scale) = GemmReference.Multiply(variant, m, n, k, a, b, accumulate ? c0 : null);
                GemmReference.AssertClose(expected, scale, c, Tolerance, $"{kernel} {variant} {m}×{n}×{k} accumulate={accumulate}");
            }
        }
    }

    /// <summary>The dot path at every width (the dispatcher takes the widest the machine has).</summary>
    [Theory]
    [InlineData(MicroKernel.Vector512)]
    [InlineData(MicroKernel.Vector256)]
    [InlineData(MicroKernel.Vector128)]
    public void DotPathMatchesNaiveLoop(MicroKernel width)
    {
        if (!GemmReference.IsAccelerated(width))
        {
            return; // The dispatcher never takes this width here.
        }

        int seed = 200;
        foreach (int k in new[] { 16, 17, 23, 31, 32, 47, 100, 130 })
        {
            // Past MaxRows too: the path itself handles any m in sweeps of four rows.
            for (int m = 1; m <= GemmDot.MaxRows + 4; m++)
            {
                foreach (int n in new[] { 1, 3, 4, 5, 8, 9, 17 })
                {
                    float[] a = GemmReference.RandomValues(m * k, seed++);
                    float[] b = GemmReference.RandomValues(n * k, seed++);
                    float[] c0 = GemmReference.RandomValues(m * n, seed++);
                    bool accumulate = (m + n) % 2 == 1;
                    float[] c = accumulate ? (float[])c0.Clone() : Enumerable.Repeat(float.NaN, m * n).ToArray();
                    switch (width)
                    {
                        case MicroKernel.Vector512:
                            GemmDot.Run<Lanes512, Vector512<float>>(m, n, k, ref a[0], ref b[0], ref c[0], n, accumulate);
                            break;
                        case MicroKernel.Vector256:
                            GemmDot.Run<Lanes256, Vector256<float>>(m, n, k, ref a[0], ref b[0], ref c[0], n, accumulate);
                            break;
                        default:
                            GemmDot.Run<Lanes128, Vector128<float>>(m, n, k, ref a[0], ref b[0], ref c[0], n, accumulate);
                            break;
                    }

                    (double[] expected, double[] scale) = GemmReference.Multiply(GemmVariant.NT, m, n, k, a, b, accumulate ? c0 : null);
                    GemmReference.AssertClose(expected, scale, c, Tolerance, $"dot {width} {m}×{n}×{k} accumulate={accumulate}");
                }
            }
        }
    }

    [Fact]
    public void RowVectorPathMatchesNaiveLoop()
    {
        int seed = 300;
        foreach ((int n, int k) in new[] { (1, 1), (3, 7), (17, 5), (100, 33), (1000, 64) })
        {
            foreach (bool accumulate in new[] { false, true })
            {
                float[] a = GemmReference.RandomValues(k, seed++);
                float[] b = GemmReference.RandomValues(k * n, seed++);
                float[] c0 = GemmReference.RandomValues(n, seed++);
                float[] c = accumulate ? (float[])c0.Clone() : Enumerable.Repeat(float.NaN, n).ToArray();
                GemmRowVector.Run(n, k, a, b, c, accumulate);
                (double[] expected, double[] scale) = GemmReference.Multiply(GemmVariant.NN, 1, n, k, a, b, accumulate ? c0 : null);
                GemmReference.AssertClose(expected, scale, c, Tolerance, $"row vector {n}×{k} accumulate={accumulate}");
            }
        }
    }

    // The strides Gemm.MultiplyNN/NT/TN hand to the driver for each layout.
    private static void RunDriver(MicroKernel kernel, GemmVariant variant, int m, int n, int k, float[] a, float[] b, float[] c, bool accumulate)
    {
        (nint aRow, nint aDepth, nint bDepth, nint bColumn) = variant switch
        {
            GemmVariant.NN => ((nint)k, (nint)1, (nint)n, (nint)1),
            GemmVariant.NT => (k, 1, 1, k),
            _ => (1, m, n, 1),
        };

        switch (kernel)
        {
            case MicroKernel.Vector512:
                GemmDriver.Run<GemmKernel<Lanes512, Vector512<float>>>(m, n, k, ref a[0], aRow, aDepth, ref b[0], bDepth, bColumn, ref c[0], n, accumulate);
                break;
            case MicroKernel.Vector256:
                GemmDriver.Run<GemmKernel<Lanes256, Vector256<float>>>(m, n, k, ref a[0], aRow, aDepth, ref b[0], bDepth, bColumn, ref c[0], n, accumulate);
                break;
            default:
                GemmDriver.Run<GemmKernel<Lanes128, Vector128<float>>>(m, n, k, ref a[0], aRow, aDepth, ref b[0], bDepth, bColumn, ref c[0], n, accumulate);
                break;
        }
    }
}
