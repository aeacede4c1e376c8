using System.Runtime.Intrinsics;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// One micro-kernel call over several runs of depth (how the implicit convolution chains a patch's kernel
/// rows), for every kernel, every tile height and both panel widths, against a naive loop that indexes A
/// exactly as <see cref="IGemmMicroKernel.Run"/> documents it.
/// </summary>
public class GemmKernelRunsTests
{
    private const double Tolerance = 2e-5;

    public static TheoryData<MicroKernel, bool, bool> KernelsWidthsAndModes()
    {
        var data = new TheoryData<MicroKernel, bool, bool>();
        foreach (MicroKernel kernel in Enum.GetValues<MicroKernel>())
        {
            foreach (bool narrow in new[] { false, true })
            {
                data.Add(kernel, narrow, false);
                data.Add(kernel, narrow, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KernelsWidthsAndModes))]
    public void A_call_over_several_runs_matches_the_naive_product(MicroKernel kernel, bool narrow, bool accumulate)
    {
        switch (kernel)
        {
            case MicroKernel.Vector512 when GemmReference.IsAccelerated(kernel):
                Check<GemmKernel<Lanes512, Vector512<float>>>(narrow, accumulate);
                break;
            case MicroKernel.Vector256 when GemmReference.IsAccelerated(kernel):
                Check<GemmKernel<Lanes256, Vector256<float>>>(narrow, accumulate);
                break;
            case MicroKernel.Vector128 when GemmReference.IsAccelerated(kernel):
                Check<GemmKernel<Lanes128, Vector128<float>>>(narrow, accumulate);
                break;
        }
    }

    private static void Check<TKernel>(bool narrow, bool accumulate)
        where TKernel : struct, IGemmMicroKernel
    {
        // Rows 3 floats apart inside runs of 7 that start 40 floats apart: the rows' runs overlap, as a
        // convolution's neighbouring pixels do, and the gaps between runs must not be read.
        const int depth = 7, runs = 3, aRowStride = 3, aRunStride = 40;
        int columns = narrow ? TKernel.Columns / 2 : TKernel.Columns;
        int seed = 300;
        for (int rows = 1; rows <= TKernel.Rows; rows++)
        {
            float[] a = GemmReference.RandomValues(((rows - 1) * aRowStride) + ((runs - 1) * aRunStride) + depth, seed++);
            float[] b = GemmReference.RandomValues(runs * depth * TKernel.Columns, seed++);
            float[] c0 = GemmReference.RandomValues(rows * TKernel.Columns, seed++);
            float[] c = accumulate ? (float[])c0.Clone() : Enumerable.Repeat(float.NaN, c0.Length).ToArray();

            GemmDriver.RunTile<TKernel>(
                rows, narrow, depth, runs, aRunStride, ref a[0], aRowStride, 1, ref b[0], TKernel.Columns, ref c[0], TKernel.Columns, accumulate);

            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < columns; j++)
                {
                    double expected = accumulate ? c0[(i * TKernel.Columns) + j] : 0, scale = Math.Abs(expected);
                    for (int r = 0; r < runs; r++)
                    {
                        for (int p = 0; p < depth; p++)
                        {
                            double term = (double)a[(i * aRowStride) + (r * aRunStride) + p] * b[(((r * depth) + p) * TKernel.Columns) + j];
                            expected += term;
                            scale += Math.Abs(term);
                        }
                    }

                    float actual = c[(i * TKernel.Columns) + j];
                    Assert.True(
                        Math.Abs(actual - expected) <= Tolerance * Math.Max(1, scale),
                        $"{typeof(TKernel).Name} rows={rows} narrow={narrow} accumulate={accumulate}: c[{i},{j}] = {actual}, expected {expected}");
                }
            }
        }
    }
}
