namespace CnnGen.Runtime.Weights;

/// <summary>Consistency rules shared by the tensors of a network (on save and load) and of a weight file's table.</summary>
internal static class TensorTable
{
    /// <summary>
    /// The first problem with <paramref name="tensors"/> as a table over <paramref name="parameterCount"/>
    /// floats, or <see langword="null"/>: every name is non-empty and unique, every size is non-negative,
    /// the length is the product of the shape, and the tensors lie inside the buffer without overlapping.
    /// </summary>
    public static string? FindProblem(IReadOnlyList<ParameterTensor> tensors, int parameterCount)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ranges = new List<(int Start, int End, string Name)>(tensors.Count);
        foreach (ParameterTensor tensor in tensors)
        {
            if (string.IsNullOrEmpty(tensor.Name))
            {
                return $"a tensor at offset {tensor.Offset} has no name.";
            }

            if (!names.Add(tensor.Name))
            {
                return $"the name '{tensor.Name}' occurs twice.";
            }

            long elements = 1;
            foreach (int size in tensor.Shape)
            {
                if (size < 0)
                {
                    return $"'{tensor.Name}' has a negative size in its shape {Format(tensor.Shape)}.";
                }

                elements = Math.Min(elements * size, long.MaxValue / int.MaxValue);
            }

            if (elements != tensor.Length)
            {
                return $"'{tensor.Name}' has shape {Format(tensor.Shape)} = {elements} elements but a length of {tensor.Length}.";
            }

            if (tensor.Offset < 0 || tensor.Length > parameterCount - (long)tensor.Offset)
            {
                return $"'{tensor.Name}' ({tensor.Length} floats at offset {tensor.Offset}) lies outside the {parameterCount} parameters.";
            }

            ranges.Add((tensor.Offset, tensor.Offset + tensor.Length, tensor.Name));
        }

        ranges.Sort();
        for (int i = 1; i < ranges.Count; i++)
        {
            if (ranges[i].Start < ranges[i - 1].End)
            {
                return $"'{ranges[i - 1].Name}' (floats {ranges[i - 1].Start} to {ranges[i - 1].End - 1}) overlaps '{ranges[i].Name}' (from {ranges[i].Start}).";
            }
        }

        return null;
    }

    /// <summary>A shape as PyTorch prints a size tuple: <c>(32, 1, 5, 5)</c>, <c>(10,)</c>, <c>()</c>.</summary>
    public static string Format(IReadOnlyList<int> shape) => shape.Count == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
}
