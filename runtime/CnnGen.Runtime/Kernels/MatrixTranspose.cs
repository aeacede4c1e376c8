using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime.Kernels;

/// <summary>Out-of-place matrix transposes by 8 × 8 register blocks (AVX), element by element at the edges.</summary>
internal static class MatrixTranspose
{
    private const int Block = 8;

    /// <summary>
    /// destination[j, i] (+)= source[i, j] for a rows × columns source whose rows are
    /// <paramref name="sourceStride"/> floats apart; destination rows are <paramref name="destinationStride"/> apart.
    /// </summary>
    /// <remarks>
    /// Overwriting, a ragged edge of a matrix at least 8 wide (tall) is one more block that overlaps the last whole
    /// one — it writes some elements twice, with the same values — so a 32 × 14 image row or a 196 × 64 product
    /// is transposed by blocks only. Accumulating cannot add twice, so there the edges go element by element.
    /// </remarks>
    public static void Into(
        int rows, int columns, ref float source, nint sourceStride, ref float destination, nint destinationStride, bool accumulate)
    {
        if (!Avx.IsSupported || rows < Block || columns < Block)
        {
            Elementwise(0, rows, 0, columns, ref source, sourceStride, ref destination, destinationStride, accumulate);
            return;
        }

        int fullRows = rows - (rows % Block), fullColumns = columns - (columns % Block);
        int blockRows = accumulate ? fullRows : rows, blockColumns = accumulate ? fullColumns : columns;
        for (int i = 0; i < blockRows; i += Block)
        {
            int top = Math.Min(i, rows - Block);
            for (int j = 0; j < blockColumns; j += Block)
            {
                int left = Math.Min(j, columns - Block);
                GemmPacking.Transpose8x8(
                    ref Unsafe.Add(ref source, (top * sourceStride) + left),
                    sourceStride,
                    ref Unsafe.Add(ref destination, (left * destinationStride) + top),
                    destinationStride,
                    accumulate);
            }
        }

        if (accumulate)
        {
            // The ragged right strip of the whole-block rows, then the ragged bottom rows.
            Elementwise(0, fullRows, fullColumns, columns, ref source, sourceStride, ref destination, destinationStride, accumulate: true);
            Elementwise(fullRows, rows, 0, columns, ref source, sourceStride, ref destination, destinationStride, accumulate: true);
        }
    }

    private static void Elementwise(
        int firstRow, int endRow, int firstColumn, int endColumn,
        ref float source, nint sourceStride, ref float destination, nint destinationStride, bool accumulate)
    {
        for (int i = firstRow; i < endRow; i++)
        {
            for (int j = firstColumn; j < endColumn; j++)
            {
                ref float target = ref Unsafe.Add(ref destination, (j * destinationStride) + i);
                float value = Unsafe.Add(ref source, (i * sourceStride) + j);
                target = accumulate ? target + value : value;
            }
        }
    }
}
