namespace CnnGen.Runtime.Kernels;

/// <summary>
/// A register tile's row count as a type, so each count gets its own compiled micro-kernel: the JIT specializes
/// a generic method per struct type argument and folds <see cref="Count"/> to a constant, removing the
/// accumulators, broadcasts and FMAs of absent rows. A 6-row convolution (LeNet's first layer) then
/// issues 12 FMAs per depth step instead of the 8-row tile's 16.
/// </summary>
internal interface ITileRows
{
    static abstract int Count { get; }
}

internal readonly struct TileRows1 : ITileRows
{
    public static int Count => 1;
}

internal readonly struct TileRows2 : ITileRows
{
    public static int Count => 2;
}

internal readonly struct TileRows3 : ITileRows
{
    public static int Count => 3;
}

internal readonly struct TileRows4 : ITileRows
{
    public static int Count => 4;
}

internal readonly struct TileRows5 : ITileRows
{
    public static int Count => 5;
}

internal readonly struct TileRows6 : ITileRows
{
    public static int Count => 6;
}

internal readonly struct TileRows7 : ITileRows
{
    public static int Count => 7;
}

internal readonly struct TileRows8 : ITileRows
{
    public static int Count => 8;
}

/// <summary>How many vectors of columns a tile holds per row: one or two, a JIT-time constant.</summary>
internal interface ITileVectors
{
    static abstract bool Two { get; }
}

internal readonly struct OneVector : ITileVectors
{
    public static bool Two => false;
}

internal readonly struct TwoVectors : ITileVectors
{
    public static bool Two => true;
}
