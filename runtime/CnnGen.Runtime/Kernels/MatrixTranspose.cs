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
        if (accumulate)
        {
            Into(rows, columns, ref source, sourceStride, ref destination, destinationStride, overlapEdges: false, default(TransposedRows.Accumulate));
        }
        else
        {
            Into(rows, columns, ref source, sourceStride, ref destination, destinationStride, overlapEdges: true, default(TransposedRows.Overwrite));
        }
    }

    /// <summary>
    /// destination[j, i] = source[i, j] + bias[j] (none if <paramref name="bias"/> is empty), then <c>max(·, 0)</c> if
    /// <paramref name="relu"/>: a pixel-major convolution product written channel-major with its epilogue, in one pass.
    /// </summary>
    public static void IntoWithBias(
        int rows, int columns, ref float source, nint sourceStride, ref float destination, nint destinationStride, ReadOnlySpan<float> bias, bool relu)
    {
        if (bias.IsEmpty && !relu)
        {
            Into(rows, columns, ref source, sourceStride, ref destination, destinationStride, overlapEdges: true, default(TransposedRows.Overwrite));
            return;
        }

        if (!bias.IsEmpty)
        {
            ConvolutionShape.CheckLength(bias.Length, columns, nameof(bias));
        }

        Into(rows, columns, ref source, sourceStride, ref destination, destinationStride, overlapEdges: true, new TransposedRows.AddBias(bias, relu));
    }

    /// <summary>The block loop; <paramref name="overlapEdges"/>: whether writing an element twice gives what writing it once does.</summary>
    private static void Into<TRows>(
        int rows, int columns, ref float source, nint sourceStride, ref float destination, nint destinationStride, bool overlapEdges, TRows store)
        where TRows : struct, ITransposedRows, allows ref struct
    {
        if (!Avx.IsSupported || rows < Block || columns < Block)
        {
            Elementwise(0, rows, 0, columns, ref source, sourceStride, ref destination, destinationStride, store);
            return;
        }

        int fullRows = rows - (rows % Block), fullColumns = columns - (columns % Block);
        int blockRows = overlapEdges ? rows : fullRows, blockColumns = overlapEdges ? columns : fullColumns;
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
                    left,
                    store);
            }
        }

        if (!overlapEdges)
        {
            // The ragged right strip of the whole-block rows, then the ragged bottom rows.
            Elementwise(0, fullRows, fullColumns, columns, ref source, sourceStride, ref destination, destinationStride, store);
            Elementwise(fullRows, rows, 0, columns, ref source, sourceStride, ref destination, destinationStride, store);
        }
    }

    private static void Elementwise<TRows>(
        int firstRow, int endRow, int firstColumn, int endColumn,
        ref float source, nint sourceStride, ref float destination, nint destinationStride, TRows store)
        where TRows : struct, ITransposedRows, allows ref struct
    {
        for (int i = firstRow; i < endRow; i++)
        {
            for (int j = firstColumn; j < endColumn; j++)
            {
                store.Store(Unsafe.Add(ref source, (i * sourceStride) + j), ref Unsafe.Add(ref destination, (j * destinationStride) + i), j);
            }
        }
    }
}
