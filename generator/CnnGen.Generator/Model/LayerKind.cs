namespace CnnGen.Generator.Model;

/// <summary>The layer attributes the generator understands, one per attribute class.</summary>
internal enum LayerKind
{
    Input,
    Conv2D,
    MaxPool2D,
    AvgPool2D,
    Flatten,
    Dense,
    Dropout,
    Relu,
    Sigmoid,
    Tanh,
    Softmax,
}

internal static class LayerKinds
{
    /// <summary>The prefix of default layer names: <c>conv1</c>, <c>pool2</c>, ...</summary>
    public static string NamePrefix(this LayerKind kind) => kind switch
    {
        LayerKind.Input => "input",
        LayerKind.Conv2D => "conv",
        LayerKind.MaxPool2D or LayerKind.AvgPool2D => "pool",
        LayerKind.Flatten => "flatten",
        LayerKind.Dense => "dense",
        LayerKind.Dropout => "dropout",
        LayerKind.Relu => "relu",
        LayerKind.Sigmoid => "sigmoid",
        LayerKind.Tanh => "tanh",
        _ => "softmax",
    };

    public static bool IsActivation(this LayerKind kind) =>
        kind is LayerKind.Relu or LayerKind.Sigmoid or LayerKind.Tanh or LayerKind.Softmax;
}
