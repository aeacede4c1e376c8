namespace CnnGen.Runtime.Weights;

/// <summary>How <see cref="SafeTensors.Load(INetwork, string, SafeTensorsLoadOptions?)"/> matches a file to a network.</summary>
public sealed class SafeTensorsLoadOptions
{
    /// <summary>The defaults: tensors by their own names, no extra tensors, only finite values.</summary>
    public static SafeTensorsLoadOptions Default { get; } = new();

    /// <summary>
    /// Explicit names: network tensor name → tensor name in the file, e.g.
    /// <c>{ ["conv1.weight"] = "features.0.weight", ["conv1.bias"] = "features.0.bias" }</c>.
    /// Network tensors not in the map are looked up by their own name (<c>conv1.weight</c>). Every key
    /// must be a tensor of the network, and no two network tensors may map to the same file tensor.
    /// <see cref="SafeTensorsNameMap"/> builds maps by position.
    /// </summary>
    public IReadOnlyDictionary<string, string>? TensorNames { get; init; }

    /// <summary>
    /// Whether tensors of the file that no network tensor maps to are skipped. By default they are an
    /// error: a file with more tensors than the network usually belongs to another architecture (or
    /// needs <see cref="TensorNames"/>). Skipped tensors may have any dtype.
    /// </summary>
    public bool IgnoreExtraTensors { get; init; }

    /// <summary>
    /// Whether NaN and ±∞ values may be loaded. By default they are an error naming every tensor that has
    /// them and how many (such a network outputs NaN for every input, usually because training diverged).
    /// The check is made after conversion to float32, so an F64 value beyond float32's range counts as ±∞.
    /// </summary>
    public bool AllowNonFiniteValues { get; init; }
}
