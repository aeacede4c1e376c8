using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// <see cref="MatrixTranspose.Into"/> against an element-by-element loop, for every edge case of its 8 × 8 blocks and of
/// the 4 × 4 blocks that machines without AVX (x86-64-v2, Arm64) take.
/// </summary>
public class MatrixTransposeTests
{
    public static TheoryData<int, int, bool, int> Shapes()
    {
        var data = new TheoryData<int, int, bool, int>();
        foreach (int block in (int[])[8, 4])
        {
            foreach (bool accumulate in (bool[])[false, true])
            {
                foreach ((int rows, int columns) in (ReadOnlySpan<(int, int)>)[(1, 1), (3, 7), (4, 4), (5, 6), (8, 8), (9, 8), (8, 15), (32, 14), (196, 64), (13, 21), (7, 40)])
                {
                    data.Add(rows, columns, accumulate, block);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_an_element_by_element_transpose(int rows, int columns, bool accumulate, int block)
    {
        Assert.True(block == 8 ? TransposeBlock8.IsSupported || !System.Runtime.Intrinsics.X86.Avx.IsSupported : TransposeBlock4.IsSupported, "x64 and Arm64 have both blocks' instructions or only the 4 × 4's");
        const int sourcePad = 3, destinationPad = 5;
        int sourceStride = columns + sourcePad, destinationStride = rows + destinationPad;
        var random = new Random((rows * 1000) + columns);
        float[] source = Enumerable.Range(0, rows * sourceStride).Select(_ => (float)random.NextDouble()).ToArray();
        float[] destination = Enumerable.Range(0, columns * destinationStride).Select(_ => (float)random.NextDouble() - 2).ToArray();
        float[] expected = (float[])destination.Clone();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                float value = source[(i * sourceStride) + j];
                expected[(j * destinationStride) + i] = accumulate ? expected[(j * destinationStride) + i] + value : value;
            }
        }

        if (block == 8)
        {
            MatrixTranspose.Into(rows, columns, ref source[0], sourceStride, ref destination[0], destinationStride, accumulate);
        }
        else if (accumulate)
        {
            MatrixTranspose.Into<TransposedRows.Accumulate, TransposeBlock4>(
                rows, columns, ref source[0], sourceStride, ref destination[0], destinationStride, overlapEdges: false, default);
        }
        else
        {
            MatrixTranspose.Into<TransposedRows.Overwrite, TransposeBlock4>(
                rows, columns, ref source[0], sourceStride, ref destination[0], destinationStride, overlapEdges: true, default);
        }

        // Exact: each element is one move or one addition, and the gaps between rows stay as they were.
        Assert.Equal(expected, destination);
    }

    [Theory]
    [InlineData(196, 64, true, 8)]
    [InlineData(196, 64, false, 8)]
    [InlineData(13, 21, true, 8)]
    [InlineData(5, 40, true, 8)]
    [InlineData(9, 3, false, 8)]
    [InlineData(196, 64, true, 4)]
    [InlineData(13, 21, false, 4)]
    [InlineData(5, 7, true, 4)]
    public void With_bias_adds_each_destination_rows_bias_then_clips_if_asked(int rows, int columns, bool relu, int block)
    {
        int destinationStride = rows + 2;
        var random = new Random((rows * 100) + columns);
        float[] source = Enumerable.Range(0, rows * columns).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] bias = Enumerable.Range(0, columns).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] destination = Enumerable.Repeat(float.NaN, columns * destinationStride).ToArray();
        float[] expected = (float[])destination.Clone();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                float value = source[(i * columns) + j] + bias[j];
                expected[(j * destinationStride) + i] = relu ? MathF.Max(value, 0) : value;
            }
        }

        if (block == 8)
        {
            MatrixTranspose.IntoWithBias(rows, columns, ref source[0], columns, ref destination[0], destinationStride, bias, relu);
        }
        else
        {
            MatrixTranspose.Into<TransposedRows.AddBias, TransposeBlock4>(
                rows, columns, ref source[0], columns, ref destination[0], destinationStride, overlapEdges: true, new TransposedRows.AddBias(bias, relu));
        }

        Assert.Equal(expected, destination);
    }
}
