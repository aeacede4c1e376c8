using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

public class GemmTests
{
    // Float GEMM against the double oracle, relative to Σ|a·b| per element. One missing or doubled term
    // is at least ~1/k of that scale, so even at k = 3136 a dropped product fails this bound.
    private const double Tolerance = 2e-5;

    private static readonly GemmVariant[] Variants = [GemmVariant.NN, GemmVariant.NT, GemmVariant.TN];

    /// <summary>Odd sizes, k = 1, m = 1, sizes that are not multiples of the vector width or the tile.</summary>
    public static TheoryData<GemmVariant, int, int, int> OddShapes()
    {
        (int M, int N, int K)[] shapes =
        [
            (1, 1, 1), (1, 7, 1), (3, 1, 5), (1, 33, 17), (7, 17, 1), (17, 7, 33), (33, 65, 7), (65, 33, 100),
            (100, 100, 3), (6, 32, 16), (12, 64, 31), (5, 31, 257), (7, 513, 17), (13, 100, 513), (2, 16, 15),
            (3, 17, 16), (4, 100, 17), (5, 3, 48), (16, 65, 33), (17, 1, 100), (1, 1, 3136), (1, 65, 300),
        ];
        var data = new TheoryData<GemmVariant, int, int, int>();
        foreach (GemmVariant variant in Variants)
        {
            foreach ((int m, int n, int k) in shapes)
            {
                data.Add(variant, m, n, k);
            }
        }

        return data;
    }

    /// <summary>The sizes generated networks call with (see <see cref="Gemm"/> remarks).</summary>
    public static TheoryData<GemmVariant, int, int, int> NetworkShapes() => new()
    {
        { GemmVariant.NN, 6, 1024, 25 },    // conv forward: 5×5 kernel, 1 → 6 channels, 32×32 output
        { GemmVariant.NN, 16, 100, 150 },   // conv forward: LeNet layer 2
        { GemmVariant.NN, 6, 784, 25 },     // conv forward: LeNet layer 1, 28×28 output (6-row tiles)
        { GemmVariant.NN, 32, 784, 25 },    // conv forward: seed net layer 1
        { GemmVariant.NT, 1, 120, 400 },    // dense forward, batch 1: LeNet's three dense layers
        { GemmVariant.NT, 1, 84, 120 },
        { GemmVariant.NT, 1, 10, 84 },
        { GemmVariant.NT, 32, 25, 784 },    // conv weight gradient with a 5×5 patch: dot path, C narrower than a tile
        { GemmVariant.NN, 64, 196, 800 },   // conv forward: 5×5, 32 → 64 channels, 14×14
        { GemmVariant.NT, 64, 800, 196 },   // conv weight gradient
        { GemmVariant.TN, 800, 196, 64 },   // conv input gradient
        { GemmVariant.NT, 1, 1000, 3136 },  // dense forward, batch 1 (GEMV)
        { GemmVariant.NT, 4, 1000, 3136 },  // dense forward, batch 4
        { GemmVariant.NT, 64, 1000, 3136 }, // dense forward, batch 64
        { GemmVariant.NT, 64, 10, 1000 },   // dense forward, classifier
        { GemmVariant.TN, 1000, 3136, 64 }, // dense weight gradient
        { GemmVariant.TN, 10, 1000, 1 },    // dense weight gradient, batch 1
        { GemmVariant.NN, 64, 3136, 1000 }, // dense input gradient
        { GemmVariant.NN, 1, 3136, 1000 },  // dense input gradient, batch 1
    };

    [Theory]
    [MemberData(nameof(OddShapes))]
    [MemberData(nameof(NetworkShapes))]
    public void MatchesNaiveLoop(GemmVariant variant, int m, int n, int k)
    {
        float[] a = GemmReference.RandomValues(m * k, seed: 1);
        float[] b = GemmReference.RandomValues(k * n, seed: 2);

        // Overwrite: C starts as NaN, so any element not written, or read before written, shows up.
        float[] c = new float[m * n];
        Array.Fill(c, float.NaN);
        GemmReference.Run(variant, m, n, k, a, b, c, accumulate: false);
        (double[] expected, double[] scale) = GemmReference.Multiply(variant, m, n, k, a, b, c0: null);
        GemmReference.AssertClose(expected, scale, c, Tolerance, $"{variant} {m}×{n}×{k} overwrite");

        // Accumulate onto existing values.
        float[] c0 = GemmReference.RandomValues(m * n, seed: 3);
        c = (float[])c0.Clone();
        GemmReference.Run(variant, m, n, k, a, b, c, accumulate: true);
        (expected, scale) = GemmReference.Multiply(variant, m, n, k, a, b, c0);
        GemmReference.AssertClose(expected, scale, c, Tolerance, $"{variant} {m}×{n}×{k} accumulate");
    }

    [Theory]
    [InlineData(GemmVariant.NN)]
    [InlineData(GemmVariant.NT)]
    [InlineData(GemmVariant.TN)]
    public void EverySmallShapeMatchesNaiveLoop(GemmVariant variant)
    {
        int[] rows = [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 18, 19];
        int[] columns = [1, 2, 3, 5, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 49];
        int[] depths = [1, 2, 3, 7, 8, 15, 16, 17, 31, 33];
        int seed = 10;
        foreach (int m in rows)
        {
            foreach (int n in columns)
            {
                foreach (int k in depths)
                {
                    float[] a = GemmReference.RandomValues(m * k, seed++);
                    float[] b = GemmReference.RandomValues(k * n, seed++);
                    float[] c0 = GemmReference.RandomValues(m * n, seed++);
                    bool accumulate = (m + n + k) % 2 == 0;
                    float[] c = accumulate ? (float[])c0.Clone() : Enumerable.Repeat(float.NaN, m * n).ToArray();
                    GemmReference.Run(variant, m, n, k, a, b, c, accumulate);
                    (double[] expected, double[] scale) = GemmReference.Multiply(variant, m, n, k, a, b, accumulate ? c0 : null);
                    GemmReference.AssertClose(expected, scale, c, Tolerance, $"{variant} {m}×{n}×{k} accumulate={accumulate}");
                }
            }
        }
    }

    /// <summary>
    /// With small integer inputs every partial sum is exact in float, whatever the blocking order,
    /// so the result must equal the reference bit for bit: no term lost, none counted twice.
    /// </summary>
    [Theory]
    [InlineData(GemmVariant.NN, 64, 196, 800)]
    [InlineData(GemmVariant.NT, 64, 196, 800)]
    [InlineData(GemmVariant.TN, 64, 196, 800)]
    [InlineData(GemmVariant.NN, 1, 1000, 3136)]
    [InlineData(GemmVariant.NT, 1, 1000, 3136)]
    [InlineData(GemmVariant.NT, 7, 33, 3136)]
    [InlineData(GemmVariant.NT, 13, 1001, 777)]
    [InlineData(GemmVariant.TN, 7, 600, 515)]
    [InlineData(GemmVariant.NN, 37, 1100, 600)]
    public void IntegerInputsAreExact(GemmVariant variant, int m, int n, int k)
    {
        float[] a = GemmReference.RandomIntegers(m * k, seed: 4);
        float[] b = GemmReference.RandomIntegers(k * n, seed: 5);
        float[] c0 = GemmReference.RandomIntegers(m * n, seed: 6);
        float[] c = (float[])c0.Clone();
        GemmReference.Run(variant, m, n, k, a, b, c, accumulate: true);
        (double[] expected, _) = GemmReference.Multiply(variant, m, n, k, a, b, c0);
        for (int i = 0; i < c.Length; i++)
        {
            Assert.True(expected[i] == c[i], $"{variant} {m}×{n}×{k}: element {i} is {c[i]}, expected {expected[i]}.");
        }
    }

    [Theory]
    [InlineData(GemmVariant.NN)]
    [InlineData(GemmVariant.NT)]
    [InlineData(GemmVariant.TN)]
    public void ZeroDepthClearsOrKeepsC(GemmVariant variant)
    {
        float[] c = [1f, 2f, 3f, 4f, 5f, 6f];
        GemmReference.Run(variant, 2, 3, 0, [], [], c, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], c);

        GemmReference.Run(variant, 2, 3, 0, [], [], c, accumulate: false);
        Assert.All(c, value => Assert.Equal(0f, value));
    }

    [Fact]
    public void EmptyOutputIsANoOp()
    {
        Gemm.MultiplyNN(0, 5, 3, [], new float[15], [], accumulate: false);
        Gemm.MultiplyNT(4, 0, 3, new float[12], [], [], accumulate: true);
    }

    [Theory]
    [InlineData(GemmVariant.NN)]
    [InlineData(GemmVariant.NT)]
    [InlineData(GemmVariant.TN)]
    public void WrongSpanLengthsThrowNamingTheSpan(GemmVariant variant)
    {
        // m = 2, n = 3, k = 4: a is 8, b is 12, c is 6; longer spans are rejected as well as shorter.
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => GemmReference.Run(variant, 2, 3, 4, new float[7], new float[12], new float[6], false)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => GemmReference.Run(variant, 2, 3, 4, new float[9], new float[12], new float[6], false)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => GemmReference.Run(variant, 2, 3, 4, new float[8], new float[11], new float[6], false)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => GemmReference.Run(variant, 2, 3, 4, new float[8], new float[12], new float[7], false)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmReference.Run(variant, -1, 3, 4, [], new float[12], [], false));
    }

    /// <summary>
    /// Generated networks call GEMM in every layer of every step, so a warm call must not allocate:
    /// scratch is per thread and reused. Covers the blocked path (with edge tiles and transposed packing),
    /// the dot-product path and the row-vector path.
    /// </summary>
    [Theory]
    [InlineData(GemmVariant.NN, 64, 196, 800)]
    [InlineData(GemmVariant.NT, 64, 800, 196)]
    [InlineData(GemmVariant.TN, 800, 196, 64)]
    [InlineData(GemmVariant.NT, 3, 1000, 3136)]
    [InlineData(GemmVariant.NN, 1, 3136, 100)]
    [InlineData(GemmVariant.TN, 7, 1030, 300)]
    public void WarmCallAllocatesNothing(GemmVariant variant, int m, int n, int k)
    {
        float[] a = GemmReference.RandomValues(m * k, seed: 7);
        float[] b = GemmReference.RandomValues(k * n, seed: 8);
        float[] c = new float[m * n];
        GemmReference.Run(variant, m, n, k, a, b, c, accumulate: false);

        Assert.Equal(0, FewestBytesAllocated(() => GemmReference.Run(variant, m, n, k, a, b, c, accumulate: true)));
    }

    /// <summary>
    /// The fewest bytes any of a few calls of <paramref name="call"/> allocates on this thread. An allocation
    /// every call makes shows in each; a single early call can also be charged for the runtime's one-off
    /// work while methods tier up (seen: 3–8 KB on the second TN 7 × 1030 × 300 call in ~1 of 15 loaded
    /// test runs, none in 40 runs with DOTNET_TieredCompilation=0 or DOTNET_TieredPGO=0, none in a
    /// standalone loop of 200 calls), which must not fail the test.
    /// </summary>
    internal static long FewestBytesAllocated(Action call)
    {
        long fewest = long.MaxValue;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            call();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
