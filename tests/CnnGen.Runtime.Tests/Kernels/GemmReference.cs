using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

public enum GemmVariant
{
    NN,
    NT,
    TN,
}

/// <summary>The naive triple loop, in double: the oracle every fast GEMM path is checked against.</summary>
internal static class GemmReference
{
    /// <summary>
    /// expected = c0 + op(A) · op(B) in double, plus per element the error scale |c0| + Σ_p |A(i,p)·B(p,j)|
    /// that a float result may be off by a small multiple of.
    /// </summary>
    public static (double[] Expected, double[] Scale) Multiply(GemmVariant variant, int m, int n, int k, float[] a, float[] b, float[]? c0)
    {
        var expected = new double[m * n];
        var scale = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = c0 is null ? 0 : c0[(i * n) + j];
                double magnitude = Math.Abs(sum);
                for (int p = 0; p < k; p++)
                {
                    double aip = variant == GemmVariant.TN ? a[(p * m) + i] : a[(i * k) + p];
                    double bpj = variant == GemmVariant.NT ? b[(j * k) + p] : b[(p * n) + j];
                    sum += aip * bpj;
                    magnitude += Math.Abs(aip * bpj);
                }

                expected[(i * n) + j] = sum;
                scale[(i * n) + j] = magnitude;
            }
        }

        return (expected, scale);
    }

    public static void Run(GemmVariant variant, int m, int n, int k, float[] a, float[] b, float[] c, bool accumulate)
    {
        switch (variant)
        {
            case GemmVariant.NN:
                Gemm.MultiplyNN(m, n, k, a, b, c, accumulate);
                break;
            case GemmVariant.NT:
                Gemm.MultiplyNT(m, n, k, a, b, c, accumulate);
                break;
            default:
                Gemm.MultiplyTN(m, n, k, a, b, c, accumulate);
                break;
        }
    }

    /// <summary>Uniform values in [−1, 1).</summary>
    /// <summary>Whether this machine accelerates <paramref name="width"/>: a kernel compiled for it runs at hardware speed.</summary>
    public static bool IsAccelerated(MicroKernel width) => width switch
    {
        MicroKernel.Vector512 => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated,
        MicroKernel.Vector256 => System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated,
        _ => System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated,
    };

    public static float[] RandomValues(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    /// <summary>Small integers in [−3, 3]: every product and partial sum is exact in float, in any order.</summary>
    public static float[] RandomIntegers(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = random.Next(-3, 4);
        }

        return values;
    }

    /// <summary>|actual − expected| ≤ relative · scale for every element, reporting the first offender.</summary>
    public static void AssertClose(double[] expected, double[] scale, float[] actual, double relative, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= (relative * scale[i]) + 1e-30))
            {
                Assert.Fail($"{context}: element {i} is {actual[i]}, expected {expected[i]} (error {error:G3}, allowed {relative * scale[i]:G3}).");
            }
        }
    }
}
