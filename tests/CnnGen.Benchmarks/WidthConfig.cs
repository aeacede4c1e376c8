using System.Globalization;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using CnnGen.Runtime;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Benchmarks;

/// <summary>
/// One job per vector width, the JIT held to it by environment variables (as .ci/run holds the tests):
/// Vector512 (if this machine has it), Vector256 (<c>DOTNET_EnableAVX512=0</c>), Vector128 with FMA
/// (<c>DOTNET_PreferredVectorBitWidth=128</c>), Vector128 without FMA but with AVX's encodings and broadcast load
/// (<c>DOTNET_EnableAVX2=0</c>: Sandy and Ivy Bridge) and Vector128 with SSE alone (<c>DOTNET_EnableAVX=0</c>: what an
/// x86-64-v2 machine and a default x64 NativeAOT build have). Each job also says the width it expects, and <see cref="CheckWidth"/> stops a job
/// whose restriction did not take. Rows are grouped by case, widths side by side.
/// </summary>
public sealed class WidthConfig : ManualConfig
{
    private const string ExpectedBits = "CNNGEN_EXPECTED_VECTOR_BITS";
    private const string ExpectedFma = "CNNGEN_EXPECTED_FMA";

    public WidthConfig()
    {
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        AddColumn(new GflopsColumn(), new WidthRoofFractionColumn(), new WidestWidthRatioColumn());
        // CNNGEN_WIDTHS=Vector128,Vector128-no-FMA runs only those jobs (ids as below, comma-separated).
        string[]? only = Environment.GetEnvironmentVariable("CNNGEN_WIDTHS")?.Split(',', StringSplitOptions.TrimEntries);
        foreach ((string id, string? variable, string bits, string fma) in Widths().Where(width => only is null || only.Contains(width.Id)))
        {
            Job job = Job.Default.WithWarmupCount(3).WithIterationCount(11)
                .WithEnvironmentVariables(
                    new EnvironmentVariable(ExpectedBits, bits),
                    new EnvironmentVariable(ExpectedFma, fma));
            if (variable is not null)
            {
                string[] pair = variable.Split('=');
                job = job.WithEnvironmentVariable(pair[0], pair[1]);
            }

            AddJob(job.WithId(id));
        }

        Orderer = new DefaultOrderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByMethod);
        HideColumns(Column.EnvironmentVariables);
    }

    /// <summary>Throws unless this process runs the width and FMA its job expects.</summary>
    public static void CheckWidth()
    {
        string? bits = Environment.GetEnvironmentVariable(ExpectedBits);
        string? fma = Environment.GetEnvironmentVariable(ExpectedFma);
        if (bits is not null && (bits != VectorLanes.Bits.ToString(CultureInfo.InvariantCulture)
            || !string.Equals(fma, VectorLanes.FusedMultiplyAdd.ToString(), StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException(
                $"This job expects Vector{bits} with FMA {fma}, but the kernels run {VectorLanes.Description}: the JIT restriction did not take.");
        }
    }

    /// <summary>The width a job expects (<see cref="ExpectedBits"/>), with FMA ranked above without; 0 for a job without one.</summary>
    internal static int Bits(Job job)
    {
        var variables = job.Environment.EnvironmentVariables ?? [];
        string? bits = variables.FirstOrDefault(variable => variable.Key == ExpectedBits)?.Value;
        string? fma = variables.FirstOrDefault(variable => variable.Key == ExpectedFma)?.Value;
        return (2 * int.Parse(bits ?? "0", CultureInfo.InvariantCulture)) + (fma == "true" ? 1 : 0);
    }

    private static IEnumerable<(string Id, string? Variable, string Bits, string Fma)> Widths()
    {
        if (Vector512.IsHardwareAccelerated)
        {
            yield return ("Vector512", null, "512", "true");
        }

        yield return ("Vector256", "DOTNET_EnableAVX512=0", "256", "true");
        yield return ("Vector128", "DOTNET_PreferredVectorBitWidth=128", "128", "true");
        yield return ("Vector128-no-FMA", "DOTNET_EnableAVX2=0", "128", "false");
        yield return ("Vector128-SSE", "DOTNET_EnableAVX=0", "128", "false");
    }
}

/// <summary>GFLOP/s as a fraction of the <c>Roof</c> row of the same job: the width's own roof, measured the same way.</summary>
internal sealed class WidthRoofFractionColumn()
    : MedianDerivedColumn("WidthRoofFraction", "of width roof", "GFLOP/s / the same job's roof row (this width's multiply-add roof, RoofLoops)")
{
    protected override bool Applies(BenchmarkCase benchmarkCase) =>
        Attribute.IsDefined(benchmarkCase.Descriptor.WorkloadMethod, typeof(FlopsAttribute));

    protected override string Format(Summary summary, BenchmarkCase benchmarkCase, double medianSeconds)
    {
        BenchmarkCase? roof = summary.BenchmarksCases.FirstOrDefault(other =>
            other.Descriptor.WorkloadMethod.Name == nameof(WidthBenchmarks.Roof) && other.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo);
        double? roofMedian = roof is null ? null : summary[roof]?.ResultStatistics?.Median;
        if (roofMedian is not > 0)
        {
            return "-";
        }

        double fraction = GigaFlopsPerSecond(benchmarkCase, medianSeconds)!.Value / GigaFlopsPerSecond(roof!, roofMedian.Value * 1e-9)!.Value;
        return fraction.ToString("P0", CultureInfo.InvariantCulture);
    }
}

/// <summary>The median over the same case's median in the widest job: how much slower this width is.</summary>
internal sealed class WidestWidthRatioColumn()
    : MedianDerivedColumn("WidestWidthRatio", "× widest", "Median / the same case's median at the widest width run")
{
    protected override bool Applies(BenchmarkCase benchmarkCase) => true;

    protected override string Format(Summary summary, BenchmarkCase benchmarkCase, double medianSeconds)
    {
        BenchmarkCase? widest = summary.BenchmarksCases
            .Where(other => other.Descriptor.WorkloadMethod == benchmarkCase.Descriptor.WorkloadMethod)
            .MaxBy(other => WidthConfig.Bits(other.Job));
        double? widestMedian = widest is null ? null : summary[widest]?.ResultStatistics?.Median;
        return widestMedian is > 0 ? (medianSeconds / (widestMedian.Value * 1e-9)).ToString("F2", CultureInfo.InvariantCulture) : "-";
    }
}
