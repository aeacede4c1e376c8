using System;

namespace CnnGen;

/// <summary>Flattens (C, H, W) into a vector of C·H·W in C, H, W order (PyTorch <c>nn.Flatten</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>
/// Zeroes each element with probability <see cref="Probability"/> while training and scales the rest
/// by 1 / (1 − p) (PyTorch <c>nn.Dropout</c>); the identity at inference.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Dropout with drop probability <paramref name="probability"/> in [0, 1).</summary>
    public DropoutAttribute(double probability) => Probability = probability;

    /// <summary>Drop probability.</summary>
    public double Probability { get; }
}
