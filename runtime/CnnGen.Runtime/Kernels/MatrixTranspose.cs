using System.Runtime.CompilerServices;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Out-of-place matrix transposes by register blocks (<see cref="ITransposeBlock"/>: 8 × 8 with AVX, else 4 × 4
/// with SSE or Arm64 AdvSimd), element by element at the edges.
/// </summary>
internal static class MatrixTranspose
{

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

    /// <summary>The block loop with this machine's widest block.</summary>
    private static void Into<TRows>(
        int rows, int columns, ref float source, nint sourceStride, ref float destination, nint destinationStride, bool overlapEdges, TRows store)
        where TRows : struct, ITransposedRows, allows ref struct
    {
        if (TransposeBlock8.IsSupported)
        {
            Into<TRows, TransposeBlock8>(rows, columns, ref source, sourceStride, ref destination, destinationStride, overlapEdges, store);
        }
        else
        {
            Into<TRows, TransposeBlock4>(rows, columns, ref source, sourceStride, ref destination, destinationStride, overlapEdges, store);
        }
    }

    /// <summary>
    /// The block loop with <typeparamref name="TBlock"/> (tests run each); <paramref name="overlapEdges"/>: whether
    /// writing an element twice gives what writing it once does.
    /// </summary>
    internal static void Into<TRows, TBlock>(
        int rows, int columns, ref float source, nint sourceStride, ref float destination, nint destinationStride, bool overlapEdges, TRows store)
        where TRows : struct, ITransposedRows, allows ref struct
        where TBlock : struct, ITransposeBlock
    {
        int block = TBlock.Size;
        if (!TBlock.IsSupported || rows < block || columns < block)
        {
            Elementwise(0, rows, 0, columns, ref source, sourceStride, ref destination, destinationStride, store);
            return;
        }

        int fullRows = rows - (rows % block), fullColumns = columns - (columns % block);
        int blockRows = overlapEdges ? rows : fullRows, blockColumns = overlapEdges ? columns : fullColumns;
        for (int i = 0; i < blockRows; i += block)
        {
            int top = Math.Min(i, rows - block);
            for (int j = 0; j < blockColumns; j += block)
            {
                int left = Math.Min(j, columns - block);
                TBlock.Transpose(
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
