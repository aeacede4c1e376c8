using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace CnnGen.Benchmarks;

/// <summary>
/// What every comparison table shows: median and spread (min, max) next to BenchmarkDotNet's
/// mean ± error, the ratio to CnnGen as "N× faster/slower", and the derived throughput columns.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        AddColumn(new ImagesPerSecondColumn(), new GflopsColumn(), new FmaPeakFractionColumn());
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
    }
}

/// <summary>The floating-point operations one invocation of a benchmark method performs.</summary>
/// <param name="flops">FLOP per invocation (per thread if <see cref="PerThread"/>).</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FlopsAttribute(double flops) : Attribute
{
    public double Flops { get; } = flops;

    /// <summary>Every one of <c>Threads</c> threads does <see cref="Flops"/> (the FMA peak loops).</summary>
    public bool PerThread { get; init; }
}

/// <summary>Throughput columns derive from the median, the statistic least moved by a noisy neighbour.</summary>
internal abstract class MedianDerivedColumn(string id, string columnName, string legend) : IColumn
{
    public string Id => id;

    public string ColumnName => columnName;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public virtual string Legend => legend;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(benchmarkCase => Applies(benchmarkCase));

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? medianNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (!Applies(benchmarkCase) || medianNanoseconds is not > 0)
        {
            return "-";
        }

        return Format(summary, benchmarkCase, medianNanoseconds.Value * 1e-9);
    }

    protected static int? IntParameter(BenchmarkCase benchmarkCase, string name) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(parameter => parameter.Name == name)?.Value as int?;

    protected static int Threads(BenchmarkCase benchmarkCase) => IntParameter(benchmarkCase, "Threads") ?? 1;

    protected static double? GigaFlopsPerSecond(BenchmarkCase benchmarkCase, double seconds)
    {
        var flops = (FlopsAttribute?)Attribute.GetCustomAttribute(benchmarkCase.Descriptor.WorkloadMethod, typeof(FlopsAttribute));
        return flops is null ? null : flops.Flops * (flops.PerThread ? Threads(benchmarkCase) : 1) / seconds / 1e9;
    }

    protected abstract bool Applies(BenchmarkCase benchmarkCase);

    protected abstract string Format(Summary summary, BenchmarkCase benchmarkCase, double medianSeconds);
}

/// <summary>Images per second: the <c>Batch</c> parameter over the median time.</summary>
internal sealed class ImagesPerSecondColumn()
    : MedianDerivedColumn("ImagesPerSecond", "img/s", "Images per second: Batch / Median")
{
    protected override bool Applies(BenchmarkCase benchmarkCase) => IntParameter(benchmarkCase, "Batch") is not null;

    protected override string Format(Summary summary, BenchmarkCase benchmarkCase, double medianSeconds) =>
        (IntParameter(benchmarkCase, "Batch")!.Value / medianSeconds).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>GFLOP/s of methods marked with <see cref="FlopsAttribute"/>.</summary>
internal sealed class GflopsColumn()
    : MedianDerivedColumn("Gflops", "GFLOP/s", "FP32 GFLOP/s over the median time (all threads together)")
{
    protected override bool Applies(BenchmarkCase benchmarkCase) =>
        Attribute.IsDefined(benchmarkCase.Descriptor.WorkloadMethod, typeof(FlopsAttribute));

    protected override string Format(Summary summary, BenchmarkCase benchmarkCase, double medianSeconds) =>
        GigaFlopsPerSecond(benchmarkCase, medianSeconds)!.Value.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>GFLOP/s as a fraction of Threads × the per-core FMA peak this process measured (<see cref="FmaLoops"/>).</summary>
internal sealed class FmaPeakFractionColumn()
    : MedianDerivedColumn(
        "FmaPeakFraction",
        "of FMA peak",
        string.Empty)
{
    public override string Legend =>
        $"GFLOP/s / (Threads × this core's FP32 FMA peak, {FmaLoops.MeasuredPeakGflopsPerCore:F1} GFLOP/s: best FmaLoops call, measured when the summary is printed)";

    protected override bool Applies(BenchmarkCase benchmarkCase) =>
        Attribute.IsDefined(benchmarkCase.Descriptor.WorkloadMethod, typeof(FlopsAttribute));

    protected override string Format(Summary summary, BenchmarkCase benchmarkCase, double medianSeconds)
    {
        double fraction = GigaFlopsPerSecond(benchmarkCase, medianSeconds)!.Value
            / (Threads(benchmarkCase) * FmaLoops.MeasuredPeakGflopsPerCore);
        return fraction.ToString("P0", System.Globalization.CultureInfo.InvariantCulture);
    }
}
