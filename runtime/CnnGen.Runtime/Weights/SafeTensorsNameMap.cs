namespace CnnGen.Runtime.Weights;

/// <summary>
/// Builds explicit name maps (network tensor name → file tensor name) for
/// <see cref="SafeTensorsLoadOptions.TensorNames"/> and for saving under PyTorch's names.
/// </summary>
/// <remarks>
/// <para>
/// By default a CnnGen layer named <c>conv1</c> owns <c>conv1.weight</c> and <c>conv1.bias</c>, which are
/// the <c>state_dict</c> names of a PyTorch module whose attributes carry the same names
/// (<c>self.conv1 = nn.Conv2d(…)</c>). An <c>nn.Sequential</c> names its parameters by index instead
/// (<c>0.weight</c>, <c>0.bias</c>, <c>3.weight</c>, … with activations and pooling taking indices too),
/// so they need a map.
/// </para>
/// <para>
/// Positional maps pair the i-th tensor of <see cref="INetwork.ParameterTensors"/> (PyTorch's
/// <c>parameters()</c> order) with the i-th file name. A safetensors file does not record that order:
/// its header is a JSON object, and PyTorch's <c>save_file</c> sorts the names as strings, so
/// <c>10.weight</c> comes before <c>3.weight</c>. Hence the order is never taken from the file: either the
/// caller gives it (<see cref="ByPosition"/>) or it is derived from nn.Sequential indices
/// (<see cref="BySequentialIndex"/>). The shapes are still checked by the load.
/// </para>
/// </remarks>
public static class SafeTensorsNameMap
{
    /// <summary>
    /// Pairs the network's tensors, in <see cref="INetwork.ParameterTensors"/> order, with
    /// <paramref name="fileNamesInParameterOrder"/>, which must be in PyTorch's <c>parameters()</c> order:
    /// in Python, <c>[name for name, _ in model.named_parameters()]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The counts differ, or a name is empty or repeated.</exception>
    public static IReadOnlyDictionary<string, string> ByPosition(INetwork network, IReadOnlyList<string> fileNamesInParameterOrder)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(fileNamesInParameterOrder);
        IReadOnlyList<ParameterTensor> tensors = network.ParameterTensors;
        CheckNames(fileNamesInParameterOrder, nameof(fileNamesInParameterOrder));
        if (fileNamesInParameterOrder.Count != tensors.Count)
        {
            throw new ArgumentException(
                $"{network.GetType().Name} has {tensors.Count} parameter tensors ({string.Join(", ", tensors.Select(tensor => tensor.Name))}) but {fileNamesInParameterOrder.Count} names were given ({string.Join(", ", fileNamesInParameterOrder)}).",
                nameof(fileNamesInParameterOrder));
        }

        var map = new Dictionary<string, string>(tensors.Count, StringComparer.Ordinal);
        for (int i = 0; i < tensors.Count; i++)
        {
            map.Add(tensors[i].Name, fileNamesInParameterOrder[i]);
        }

        return map;
    }

    /// <summary>
    /// <see cref="ByPosition"/> after ordering <paramref name="fileNames"/> (e.g.
    /// <see cref="SafeTensorsHeader.TensorNames"/>) with <see cref="SortBySequentialIndex"/>: for files of an
    /// <c>nn.Sequential</c> (<c>0.weight</c>, <c>3.weight</c>, <c>10.weight</c>) or of one wrapped in a module
    /// (<c>net.0.weight</c>), possibly nested (<c>features.0.0.weight</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The names cannot be ordered (see <see cref="SortBySequentialIndex"/>) or their count differs from the network's.</exception>
    public static IReadOnlyDictionary<string, string> BySequentialIndex(INetwork network, IEnumerable<string> fileNames)
    {
        ArgumentNullException.ThrowIfNull(network);
        return ByPosition(network, SortBySequentialIndex(fileNames));
    }

    /// <summary>
    /// Orders parameter names as an <c>nn.Sequential</c> registers them: module paths compared segment by
    /// segment, indices numerically (<c>3</c> before <c>10</c>); a module's own parameters before its
    /// children's; within a module <c>weight</c> before <c>bias</c>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Two module paths differ first at a segment that is not an index in both (<c>features.0</c> and
    /// <c>classifier.0</c>: registration order is not recoverable), a parameter is neither <c>weight</c> nor
    /// <c>bias</c>, or a name is empty or repeated.
    /// </exception>
    public static IReadOnlyList<string> SortBySequentialIndex(IEnumerable<string> fileNames)
    {
        ArgumentNullException.ThrowIfNull(fileNames);
        string[] names = [.. fileNames];
        CheckNames(names, nameof(fileNames));
        var keys = new (string Name, string[] Path, int Leaf)[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            string[] segments = names[i].Split('.');
            int leaf = segments[^1] switch
            {
                "weight" => 0,
                "bias" => 1,
                _ => throw new ArgumentException(
                    $"'{names[i]}' is neither a weight nor a bias, so its place in parameters() order is unknown; pass the names in order to ByPosition.",
                    nameof(fileNames)),
            };
            keys[i] = (names[i], segments[..^1], leaf);
        }

        Array.Sort(keys, (left, right) => Compare(left.Path, left.Leaf, right.Path, right.Leaf));
        for (int i = 1; i < keys.Length; i++)
        {
            string[] left = keys[i - 1].Path;
            string[] right = keys[i].Path;
            int common = Math.Min(left.Length, right.Length);
            for (int segment = 0; segment < common; segment++)
            {
                if (left[segment] == right[segment])
                {
                    continue;
                }

                if (!IsIndex(left[segment]) || !IsIndex(right[segment]))
                {
                    throw new ArgumentException(
                        $"Cannot order '{keys[i - 1].Name}' and '{keys[i].Name}' by position: their module paths differ at '{left[segment]}' and '{right[segment]}', which are not both nn.Sequential indices, and a safetensors file does not record the order of parameters(). " +
                        "Pass the names in parameters() order to ByPosition (in Python: [name for name, _ in model.named_parameters()]).",
                        nameof(fileNames));
                }

                break;
            }
        }

        return [.. keys.Select(key => key.Name)];
    }

    /// <summary>
    /// The file name of every network tensor (same index as <paramref name="tensors"/>): the mapped name, or
    /// the tensor's own. Throws <see cref="ArgumentException"/> for keys that are not network tensors, empty
    /// names, and two tensors mapped to one file name.
    /// </summary>
    internal static string[] Resolve(INetwork network, IReadOnlyList<ParameterTensor> tensors, IReadOnlyDictionary<string, string>? map, string parameterName)
    {
        var fileNames = new string[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            fileNames[i] = map is not null && map.TryGetValue(tensors[i].Name, out string? mapped) ? mapped : tensors[i].Name;
            if (string.IsNullOrEmpty(fileNames[i]))
            {
                throw new ArgumentException($"The name map gives '{tensors[i].Name}' an empty file name.", parameterName);
            }
        }

        if (map is not null)
        {
            var networkNames = tensors.Select(tensor => tensor.Name).ToHashSet(StringComparer.Ordinal);
            string[] unknown = [.. map.Keys.Where(key => !networkNames.Contains(key)).Order(StringComparer.Ordinal)];
            if (unknown.Length > 0)
            {
                throw new ArgumentException(
                    $"The name map has {(unknown.Length == 1 ? "a key" : "keys")} that {(unknown.Length == 1 ? "is not a tensor" : "are not tensors")} of {network.GetType().Name}: {string.Join(", ", unknown.Select(key => $"'{key}'"))} (its tensors: {string.Join(", ", tensors.Select(tensor => tensor.Name))}). Keys are network names, values file names.",
                    parameterName);
            }
        }

        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < tensors.Count; i++)
        {
            if (!owners.TryAdd(fileNames[i], tensors[i].Name))
            {
                throw new ArgumentException(
                    $"'{owners[fileNames[i]]}' and '{tensors[i].Name}' would both be '{fileNames[i]}' in the file.", parameterName);
            }
        }

        return fileNames;
    }

    private static void CheckNames(IReadOnlyList<string> names, string parameterName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("A tensor name is null or empty.", parameterName);
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException($"The tensor name '{name}' occurs twice.", parameterName);
            }
        }
    }

    // Total order: segment by segment (indices numerically and before other names, which compare
    // ordinally), a shorter path (a module's own parameters) first, then weight before bias.
    private static int Compare(string[] leftPath, int leftLeaf, string[] rightPath, int rightLeaf)
    {
        for (int i = 0; i < Math.Min(leftPath.Length, rightPath.Length); i++)
        {
            int order = CompareSegments(leftPath[i], rightPath[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return leftPath.Length != rightPath.Length ? leftPath.Length.CompareTo(rightPath.Length) : leftLeaf.CompareTo(rightLeaf);
    }

    private static int CompareSegments(string left, string right)
    {
        bool leftIndex = IsIndex(left);
        bool rightIndex = IsIndex(right);
        if (leftIndex != rightIndex)
        {
            return leftIndex ? -1 : 1;
        }

        if (leftIndex)
        {
            string a = left.TrimStart('0');
            string b = right.TrimStart('0');
            int numeric = a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
            return numeric != 0 ? numeric : string.CompareOrdinal(left, right); // equal numbers: "03" before "3"
        }

        return string.CompareOrdinal(left, right);
    }

    private static bool IsIndex(string segment) => segment.Length > 0 && segment.All(char.IsAsciiDigit);
}
