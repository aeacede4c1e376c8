using System;

namespace CnnGen;

/// <summary>
/// A fully connected layer with bias (PyTorch <c>nn.Linear</c>). Its input must be a vector:
/// put <see cref="FlattenAttribute"/> before it when the previous layer outputs an image.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>A dense layer with <paramref name="units"/> outputs.</summary>
    public DenseAttribute(int units) => Units = units;

    /// <summary>Number of outputs.</summary>
    public int Units { get; }

    /// <summary>Whether the layer has a bias (default true); false when a BatchNorm follows, as in ResNet.</summary>
    public bool Bias { get; set; } = true;
}
