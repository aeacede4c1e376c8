using System;

namespace CnnGen;

/// <summary>The shape of one input sample: channels, height, width (NCHW without the N).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : LayerAttribute
{
    /// <summary>An image input of <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/>.</summary>
    public InputAttribute(int channels, int height, int width)
    {
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
}
