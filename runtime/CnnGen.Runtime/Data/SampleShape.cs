namespace CnnGen.Runtime.Data;

/// <summary>The (C, H, W) shape of one sample; a sample is <see cref="Length"/> floats in CHW order.</summary>
public readonly record struct SampleShape
{
    /// <summary>A shape of <paramref name="channels"/> planes of <paramref name="height"/> × <paramref name="width"/>.</summary>
    public SampleShape(int channels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if ((long)channels * height * width > Array.MaxLength)
        {
            throw new ArgumentException($"A {channels}×{height}×{width} sample does not fit in one array.");
        }

        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Planes per sample.</summary>
    public int Channels { get; }

    /// <summary>Rows per plane.</summary>
    public int Height { get; }

    /// <summary>Columns per row.</summary>
    public int Width { get; }

    /// <summary>Floats per sample: C·H·W.</summary>
    public int Length => Channels * Height * Width;

    /// <summary><c>(C,H,W)</c>, as the generated layer comments write shapes.</summary>
    public override string ToString() => $"({Channels},{Height},{Width})";
}
