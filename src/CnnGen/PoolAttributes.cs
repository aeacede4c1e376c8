using System;

namespace CnnGen;

/// <summary>Max pooling over <see cref="Size"/> × <see cref="Size"/> windows (PyTorch <c>nn.MaxPool2d</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : LayerAttribute
{
    /// <summary>Pooling with a square window of <paramref name="size"/>.</summary>
    public MaxPool2DAttribute(int size) => Size = size;

    /// <summary>Window size.</summary>
    public int Size { get; }

    /// <summary>Stride; 0 (the default) means the window size.</summary>
    public int Stride { get; set; }

    /// <summary>Padding on every side (default 0), at most half the window: −∞ for max pooling, zeros (counted in the mean) for average pooling, as PyTorch's defaults.</summary>
    public int Padding { get; set; }
}

/// <summary>Average pooling over <see cref="Size"/> × <see cref="Size"/> windows (PyTorch <c>nn.AvgPool2d</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : LayerAttribute
{
    /// <summary>Pooling with a square window of <paramref name="size"/>.</summary>
    public AvgPool2DAttribute(int size) => Size = size;

    /// <summary>Window size.</summary>
    public int Size { get; }

    /// <summary>Stride; 0 (the default) means the window size.</summary>
    public int Stride { get; set; }

    /// <summary>Padding on every side (default 0), at most half the window: −∞ for max pooling, zeros (counted in the mean) for average pooling, as PyTorch's defaults.</summary>
    public int Padding { get; set; }
}
