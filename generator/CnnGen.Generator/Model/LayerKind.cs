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
    From,
    Add,
    Concat,
    GlobalAvgPool2D,
    BatchNorm2D,
}

internal static class LayerKinds
{
    public static bool IsActivation(this LayerKind kind) =>
        kind is LayerKind.Relu or LayerKind.Sigmoid or LayerKind.Tanh or LayerKind.Softmax;
}
