using System;

namespace CnnGen;

/// <summary>
/// The next layer reads the tensor named <see cref="TensorName"/> (a layer's <c>Name</c>, or <c>input</c>) instead
/// of the previous layer's output: how a second branch starts (a ResNet shortcut, an Inception tower).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FromAttribute : LayerAttribute
{
    /// <summary>Reads the tensor <paramref name="name"/>; it must be made by a layer above.</summary>
    public FromAttribute(string name) => TensorName = name;

    /// <summary>The tensor the next layer reads.</summary>
    public string TensorName { get; }
}

/// <summary>
/// The element-wise sum of the current tensor and the named ones, all of one shape (a ResNet skip
/// connection). If the current tensor's own name is listed, the list is the exact operand order.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute : LayerAttribute
{
    /// <summary>Adds the tensors <paramref name="names"/> to the current one.</summary>
    public AddAttribute(params string[] names) => Names = names;

    /// <summary>The tensors added to the current one.</summary>
    public string[] Names { get; }
}

/// <summary>
/// Joins the channels of the current tensor and the named ones, of one height and width (<c>torch.cat(…, 1)</c>:
/// Inception's towers, U-Net's skips). If the current tensor's own name is listed, the list is the exact order:
/// <c>[Concat("b1", "b2", "b3")]</c> after branch <c>b3</c> is <c>torch.cat([b1, b2, b3], 1)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatAttribute : LayerAttribute
{
    /// <summary>Concatenates the tensors <paramref name="names"/> after the current one.</summary>
    public ConcatAttribute(params string[] names) => Names = names;

    /// <summary>The tensors joined to the current one.</summary>
    public string[] Names { get; }
}

/// <summary>The mean of each channel plane, (C, H, W) → (C, 1, 1) (PyTorch <c>nn.AdaptiveAvgPool2d(1)</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPool2DAttribute : LayerAttribute
{
}
