namespace CnnGen.Generator;

/// <summary>Names of the pipeline steps, for incremental-caching tests.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Analyze = nameof(Analyze);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Plan = nameof(Plan);
    public const string WeightFiles = nameof(WeightFiles);
}
