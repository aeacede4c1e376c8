using CnnGen.Generator.Model;

namespace CnnGen.Generator.Weights;

/// <summary>One tensor of a safetensors file, converted to float32.</summary>
internal sealed record WeightTensor(string Name, string DataType, EquatableArray<int> Shape, EquatableArray<float> Values)
{
    /// <summary><c>(6, 1, 5, 5)</c>, as shapes read in diagnostics.</summary>
    public string ShapeText => ShapeFormat.Of(Shape);
}

/// <summary>
/// A safetensors file given to the compiler as an <c>AdditionalFiles</c> item: its tensors, or the
/// reason it could not be read. Equatable by content, so editing the file re-runs the checks.
/// </summary>
internal sealed record CompiledWeightsFile(string Path, string? Error, EquatableArray<WeightTensor> Tensors)
{
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
