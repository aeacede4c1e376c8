namespace CnnGen.Runtime;

/// <summary>
/// One named tensor inside a network's <see cref="INetwork.Parameters"/>, with PyTorch's
/// <c>state_dict</c> name and shape: <c>conv1.weight</c> (32, 1, 5, 5) at offset 0.
/// </summary>
public sealed record ParameterTensor(string Name, int Offset, int Length, IReadOnlyList<int> Shape);
