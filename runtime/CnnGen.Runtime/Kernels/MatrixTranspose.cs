using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime.Kernels;

/// <summary>Out-of-place matrix transposes by 8 × 8 register blocks (AVX), element by element at the edges.</summary>
internal static class MatrixTranspose
{
    /// <summary>
    /// destination[j, i] (+)= source[i, j] for a rows × columns source whose rows are
    /// <paramref name="sourceStride"/> floats apart; destination rows are <paramref name="destinationStride"/> apart.
    /// </summary>
    public static void Into(
        int rows, int columns, ref float source, nint sourceStride, ref float destination, nint destinationStride, bool accumulate)
    {
        int fullRows = 0, fullColumns = 0;
        if (Avx.IsSupported)
        {
            fullRows = rows - (rows % 8);
            fullColumns = columns - (columns % 8);
            for (int i = 0; i < fullRows; i += 8)
            {
                for (int j = 0; j < fullColumns; j += 8)
                {
                    GemmPacking.Transpose8x8(
                        ref Unsafe.Add(ref source, (i * sourceStride) + j),
                        sourceStride,
                        ref Unsafe.Add(ref destination, (j * destinationStride) + i),
                        destinationStride,
                        accumulate);
                }
            }
        }

        // The ragged right and bottom strips (or everything, without AVX), element by element.
        for (int i = 0; i < rows; i++)
        {
            for (int j = i < fullRows ? fullColumns : 0; j < columns; j++)
            {
                ref float target = ref Unsafe.Add(ref destination, (j * destinationStride) + i);
                float value = Unsafe.Add(ref source, (i * sourceStride) + j);
                target = accumulate ? target + value : value;
            }
        }
    }
}
