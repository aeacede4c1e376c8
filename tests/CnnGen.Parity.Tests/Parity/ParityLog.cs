using System.Globalization;
using CnnGen.Runtime;
using Xunit.Abstractions;

namespace CnnGen.Parity.Tests.Parity;

/// <summary>
/// The difference between CnnGen's values <c>a</c> and PyTorch's <c>b</c> for one checked tensor.
/// </summary>
/// <remarks>
/// The metric (one per tensor, the one every parity test asserts):
/// <code>
/// relative = max_i |a_i − b_i| / max(max_i |b_i|, 1e-30)
/// </code>
/// i.e. the worst absolute error measured against the tensor's own scale. It is the natural metric
/// for float32 sums computed in different orders, whose rounding error scales with the magnitude of
/// the terms, not with each (possibly cancelling, near-zero) result. Scalars (the loss) reduce to
/// the ordinary |a − b| / |b|. Elements can be excluded (see <see cref="ParityLog.CompareTensors"/>):
/// they then count neither in the numerator nor in the scale, and <see cref="Excluded"/> says how many.
/// </remarks>
internal readonly record struct Difference(string Check, int Count, double MaxAbsolute, double Scale, int WorstIndex, float Actual, float Expected)
{
    /// <summary>Guards the division for an all-zero reference; any difference then fails.</summary>
    public const double TinyScale = 1e-30;

    public double Relative => MaxAbsolute / Math.Max(Scale, TinyScale);

    /// <summary>Elements left out of the comparison.</summary>
    public int Excluded { get; init; }

    /// <summary>
    /// Compares <paramref name="actual"/> (CnnGen) with <paramref name="expected"/> (torch), skipping the
    /// elements whose <paramref name="excluded"/> flag is set (an empty span excludes nothing).
    /// </summary>
    public static Difference Of(string check, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, ReadOnlySpan<bool> excluded = default)
    {
        if (actual.Length != expected.Length || !(excluded.IsEmpty || excluded.Length == expected.Length))
        {
            throw new ArgumentException($"{check}: CnnGen has {actual.Length} values, torch {expected.Length}, the exclusion mask {excluded.Length}.");
        }

        double maxAbsolute = 0, scale = 0;
        int worst = -1, skipped = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!excluded.IsEmpty && excluded[i])
            {
                skipped++;
                continue;
            }

            double a = actual[i], b = expected[i];
            double difference = Math.Abs(a - b);
            if (!(difference <= maxAbsolute))
            {
                // NaN also lands here, and then fails the relative check below.
                maxAbsolute = double.IsNaN(difference) ? double.PositiveInfinity : difference;
                worst = i;
            }

            scale = Math.Max(scale, Math.Abs(b));
        }

        int count = expected.Length - skipped;
        return worst < 0
            ? new Difference(check, count, 0, scale, -1, float.NaN, float.NaN) { Excluded = skipped }
            : new Difference(check, count, maxAbsolute, scale, worst, actual[worst], expected[worst]) { Excluded = skipped };
    }

    public override string ToString()
    {
        var worst = WorstIndex < 0 ? "identical" : string.Create(CultureInfo.InvariantCulture, $"worst [{WorstIndex}] cnngen {Actual:G9} torch {Expected:G9}");
        var excluded = Excluded == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"  ({Excluded} excluded)");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Check,-44} n={Count,8}  max|Δ|={MaxAbsolute,9:0.00E+00}  max|torch|={Scale,9:0.00E+00}  rel={Relative,9:0.00E+00}  {worst}{excluded}");
    }
}

/// <summary>
/// Compares CnnGen against PyTorch check by check, writes every measured difference to the test
/// output, and fails at the end (<see cref="AssertAllWithin"/>) listing each check over tolerance,
/// so one run reports every worst case, not only the first failure.
/// </summary>
internal sealed class ParityLog(ITestOutputHelper output, string title)
{
    /// <summary>The tolerance on <see cref="Difference.Relative"/> for every check.</summary>
    public const double Tolerance = 1e-4;

    private readonly List<Difference> differences = [];
    private bool headerWritten;

    public IReadOnlyList<Difference> Differences => differences;

    public Difference Compare(string check, ReadOnlySpan<float> cnnGen, ReadOnlySpan<float> torch)
    {
        var difference = Difference.Of(check, cnnGen, torch);
        Record(difference);
        return difference;
    }

    public Difference Compare(string check, float cnnGen, float torch) => Compare(check, [cnnGen], [torch]);

    /// <summary>
    /// One comparison per named parameter tensor (<see cref="INetwork.ParameterTensors"/>), in order.
    /// Elements flagged in <paramref name="excluded"/> (flat, same layout; empty = none) are left out of
    /// the asserted comparison; their own worst difference is written as an unasserted note line and
    /// returned, for the caller's separate, looser check.
    /// </summary>
    /// <returns>The largest |CnnGen − torch| over the excluded elements (0 if none).</returns>
    public double CompareTensors(string prefix, INetwork network, ReadOnlySpan<float> cnnGen, ReadOnlySpan<float> torch, ReadOnlySpan<bool> excluded = default)
    {
        double worstExcluded = 0;
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            string check = $"{prefix} {tensor.Name}";
            ReadOnlySpan<float> actual = cnnGen.Slice(tensor.Offset, tensor.Length), expected = torch.Slice(tensor.Offset, tensor.Length);
            if (excluded.IsEmpty)
            {
                Compare(check, actual, expected);
                continue;
            }

            ReadOnlySpan<bool> mask = excluded.Slice(tensor.Offset, tensor.Length);
            Record(Difference.Of(check, actual, expected, mask));
            if (mask.Contains(true))
            {
                var inverse = new bool[mask.Length];
                for (int i = 0; i < inverse.Length; i++)
                {
                    inverse[i] = !mask[i];
                }

                var onlyExcluded = Difference.Of($"  excluded elements of {tensor.Name} (not asserted)", actual, expected, inverse) with { Excluded = 0 };
                Note(onlyExcluded.ToString());
                worstExcluded = Math.Max(worstExcluded, onlyExcluded.MaxAbsolute);
            }
        }

        return worstExcluded;
    }

    /// <summary>One comparison per named state tensor (<see cref="INetwork.StateTensors"/>: running statistics), in order.</summary>
    public void CompareState(string prefix, INetwork network, ReadOnlySpan<float> cnnGen, ReadOnlySpan<float> torch)
    {
        foreach (ParameterTensor tensor in network.StateTensors)
        {
            Compare($"{prefix} {tensor.Name}", cnnGen.Slice(tensor.Offset, tensor.Length), torch.Slice(tensor.Offset, tensor.Length));
        }
    }

    public void Note(string line)
    {
        WriteHeader();
        output.WriteLine("  " + line);
    }

    public void AssertAllWithin()
    {
        var failures = differences.Where(d => !(d.Relative <= Tolerance)).ToArray();
        Difference worst = differences.MaxBy(d => d.Relative);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  => {differences.Count} checks, worst rel {worst.Relative:0.00E+00} ({worst.Check}); tolerance {Tolerance:0.#E+0}"));
        Assert.True(
            failures.Length == 0,
            $"{title}: {failures.Length} of {differences.Count} checks exceed rel {Tolerance}:\n" + string.Join("\n", failures.Select(f => f.ToString())));
    }

    private void Record(Difference difference)
    {
        differences.Add(difference);
        WriteHeader();
        output.WriteLine("  " + difference);
    }

    private void WriteHeader()
    {
        if (!headerWritten)
        {
            output.WriteLine(title);
            headerWritten = true;
        }
    }
}
