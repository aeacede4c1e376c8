namespace CnnGen.Runtime.Weights;

/// <summary>
/// One tensor as a safetensors header describes it: <c>"conv1.weight": {"dtype": "F32", "shape": [32, 1, 5, 5],
/// "data_offsets": [0, 3200]}</c>. Offsets are bytes from the start of the data section, end exclusive.
/// </summary>
public sealed record SafeTensorsTensorInfo(string Name, string DType, IReadOnlyList<long> Shape, long DataBegin, long DataEnd)
{
    /// <summary>The number of elements, the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, size) => product * size);

    /// <summary>Bytes in the data section, <see cref="DataEnd"/> − <see cref="DataBegin"/>.</summary>
    public long ByteLength => DataEnd - DataBegin;

    /// <summary>The shape as PyTorch prints it: <c>(32, 1, 5, 5)</c>, <c>(10,)</c>, <c>()</c>.</summary>
    public string FormatShape() => Shape.Count == 1 ? $"({Shape[0]},)" : $"({string.Join(", ", Shape)})";
}

/// <summary>
/// The checked header of a safetensors file: its tensors, its <c>__metadata__</c> and the sizes of its parts.
/// <see cref="SafeTensors.ReadHeader(string)"/> returns it without reading the tensor data.
/// </summary>
public sealed class SafeTensorsHeader
{
    internal SafeTensorsHeader(long headerLength, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafeTensorsTensorInfo> tensors)
    {
        HeaderLength = headerLength;
        Metadata = metadata;
        Tensors = tensors;
        DataLength = tensors.Count == 0 ? 0 : tensors.Max(tensor => tensor.DataEnd);
    }

    /// <summary>N, the length of the JSON header in bytes (the 8-byte little-endian number the file starts with).</summary>
    public long HeaderLength { get; }

    /// <summary>The <c>__metadata__</c> map (string → string), empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Every tensor in the order the JSON header lists them. That order carries no meaning: PyTorch's
    /// <c>save_file</c> sorts by dtype and then by name, so <c>10.weight</c> comes before <c>3.weight</c>;
    /// it is not the order of <c>parameters()</c> (see <see cref="SafeTensorsNameMap"/>).
    /// </summary>
    public IReadOnlyList<SafeTensorsTensorInfo> Tensors { get; }

    /// <summary>The length of the data section, which the tensors cover without gaps or overlaps.</summary>
    public long DataLength { get; }

    /// <summary>The length of the whole file: 8 + <see cref="HeaderLength"/> + <see cref="DataLength"/>.</summary>
    public long FileLength => 8 + HeaderLength + DataLength;

    /// <summary>The names of <see cref="Tensors"/>, in header order.</summary>
    public IEnumerable<string> TensorNames => Tensors.Select(tensor => tensor.Name);
}
