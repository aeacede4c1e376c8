namespace CnnGen.Runtime.Data;

/// <summary>The content of an IDX image file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/> bytes.</summary>
public sealed class IdxImages
{
    internal IdxImages(int count, int rows, int columns, byte[] pixels)
    {
        Count = count;
        Rows = rows;
        Columns = columns;
        Pixels = pixels;
    }

    /// <summary>Number of images (N).</summary>
    public int Count { get; }

    /// <summary>Rows per image (H).</summary>
    public int Rows { get; }

    /// <summary>Columns per image (W).</summary>
    public int Columns { get; }

    /// <summary>N·H·W pixels, row-major, one image after another, 0 = background for MNIST.</summary>
    public byte[] Pixels { get; }
}
