using CnnGen.Generator.Model;

namespace CnnGen.Generator.Weights;

/// <summary>One tensor of a safetensors file, converted to float32, or (I64) a counter's integers.</summary>
internal sealed record WeightTensor(string Name, string DataType, EquatableArray<int> Shape, EquatableArray<float> Values)
{
    /// <summary>The end of a BatchNorm counter's name, the only tensor read as I64.</summary>
    public const string CounterSuffix = ".num_batches_tracked";

    /// <summary>The values of an I64 tensor; empty for the float dtypes.</summary>
    public EquatableArray<long> Integers { get; init; } = EquatableArray<long>.Empty;

    /// <summary><c>(6, 1, 5, 5)</c>, as shapes read in diagnostics.</summary>
    public string ShapeText => ShapeFormat.Of(Shape);
}

/// <summary>
/// A safetensors file given to the compiler as an <c>AdditionalFiles</c> item: its tensors, or the
/// reason it could not be read. Equatable by content, so editing the file re-runs the checks.
/// </summary>
internal sealed record CompiledWeightsFile(string Path, string? Error, EquatableArray<WeightTensor> Tensors)
{
    /// <summary>The only AdditionalFiles items the generator reads as weights.</summary>
    public const string Extension = ".safetensors";

    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>True when <paramref name="reference"/> (from <c>[Network(Weights = ...)]</c>) names this file.</summary>
    public bool Matches(string reference)
    {
        string normalizedPath = Path.Replace('\\', '/');
        string normalizedReference = reference.Replace('\\', '/').TrimStart('.', '/');
        return normalizedPath.EndsWith("/" + normalizedReference, System.StringComparison.OrdinalIgnoreCase)
            || string.Equals(FileName, normalizedReference, System.StringComparison.OrdinalIgnoreCase);
    }
}
