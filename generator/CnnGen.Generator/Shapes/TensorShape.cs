using System.Globalization;

namespace CnnGen.Generator.Shapes;

/// <summary>The shape of one sample: an image (C, H, W) or a vector (C) with H = W = 1.</summary>
internal readonly record struct TensorShape(int Channels, int Height, int Width, bool IsImage)
{
    public static TensorShape Image(int channels, int height, int width) => new(channels, height, width, IsImage: true);

    public static TensorShape Vector(int length) => new(length, 1, 1, IsImage: false);

    /// <summary>Floats per sample.</summary>
    public int Size => Channels * Height * Width;

    /// <summary>Height · Width: the size of one channel plane.</summary>
    public int PlaneSize => Height * Width;

    /// <summary><c>(32, 14, 14)</c> or <c>(3136)</c>.</summary>
    public override string ToString() => IsImage
        ? string.Format(CultureInfo.InvariantCulture, "({0}, {1}, {2})", Channels, Height, Width)
        : string.Format(CultureInfo.InvariantCulture, "({0})", Channels);

    /// <summary><c>(N,32,14,14)</c>: the batched shape used in generated comments.</summary>
    public string ToBatchedString() => IsImage
        ? string.Format(CultureInfo.InvariantCulture, "(N,{0},{1},{2})", Channels, Height, Width)
        : string.Format(CultureInfo.InvariantCulture, "(N,{0})", Channels);
}
