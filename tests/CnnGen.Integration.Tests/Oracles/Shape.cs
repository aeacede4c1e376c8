namespace CnnGen.Integration.Tests.Oracles;

/// <summary>One sample's tensor shape (C, H, W), NCHW without the N. A vector of F features is (F, 1, 1).</summary>
internal readonly record struct Shape(int Channels, int Height, int Width)
{
    public int Size => Channels * Height * Width;

    public int PlaneSize => Height * Width;

    public int Index(int channel, int y, int x) => (((channel * Height) + y) * Width) + x;

    public static Shape Vector(int features) => new(features, 1, 1);
}
