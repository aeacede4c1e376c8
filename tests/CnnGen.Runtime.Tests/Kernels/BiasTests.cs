using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

public class BiasTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(6, 784)]
    [InlineData(3, 17)]
    [InlineData(64, 49)]
    public void AddToRowsAddsOneValuePerRow(int rows, int columns)
    {
        float[] matrix = GemmReference.RandomValues(rows * columns, seed: 1);
        float[] bias = GemmReference.RandomValues(rows, seed: 2);
        float[] result = (float[])matrix.Clone();
        Bias.AddToRows(result, bias, rows, columns);
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < columns; j++)
            {
                Assert.Equal(matrix[(r * columns) + j] + bias[r], result[(r * columns) + j]);
            }
        }
    }

    /// <summary>Against the two-pass reference (bias, then ReLU), bit for bit; widths cover each vector loop and the scalar tail; NaN propagates as in PyTorch.</summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(6, 784)]
    [InlineData(16, 100)]
    [InlineData(3, 23)]
    [InlineData(5, 7)]
    public void AddToRowsThenReluIsBiasThenRelu(int rows, int columns)
    {
        float[] matrix = GemmReference.RandomValues(rows * columns, seed: 5);
        float[] bias = GemmReference.RandomValues(rows, seed: 6);
        matrix[^1] = float.NaN;
        float[] result = (float[])matrix.Clone();
        Bias.AddToRowsThenRelu(result, bias, rows, columns);
        int negative = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < columns; j++)
            {
                float sum = matrix[(r * columns) + j] + bias[r];
                negative += sum < 0 ? 1 : 0;
                Assert.Equal(float.IsNaN(sum) ? float.NaN : Math.Max(sum, 0f), result[(r * columns) + j]);
            }
        }

        Assert.True(rows * columns < 8 || negative > 0, "the data should exercise the clamp");
        Assert.Throws<ArgumentException>(() => Bias.AddToRowsThenRelu(result, bias.AsSpan(1), rows, columns));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(64, 10)]
    [InlineData(3, 1000)]
    [InlineData(7, 33)]
    public void AddToColumnsAddsOneValuePerColumn(int rows, int columns)
    {
        float[] matrix = GemmReference.RandomValues(rows * columns, seed: 3);
        float[] bias = GemmReference.RandomValues(columns, seed: 4);
        float[] result = (float[])matrix.Clone();
        Bias.AddToColumns(result, bias, rows);
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < columns; j++)
            {
                Assert.Equal(matrix[(r * columns) + j] + bias[j], result[(r * columns) + j]);
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(6, 784)]
    [InlineData(5, 33)]
    public void AccumulateRowSumsAddsEachRowTotal(int rows, int columns)
    {
        float[] matrix = GemmReference.RandomValues(rows * columns, seed: 5);
        float[] start = GemmReference.RandomValues(rows, seed: 6);
        float[] gradient = (float[])start.Clone();
        Bias.AccumulateRowSums(matrix, gradient, rows, columns);
        for (int r = 0; r < rows; r++)
        {
            double expected = start[r];
            for (int j = 0; j < columns; j++)
            {
                expected += matrix[(r * columns) + j];
            }

            Assert.Equal(expected, gradient[r], 1e-4);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(64, 10)]
    [InlineData(9, 1000)]
    public void AccumulateColumnSumsAddsEachColumnTotal(int rows, int columns)
    {
        float[] matrix = GemmReference.RandomValues(rows * columns, seed: 7);
        float[] start = GemmReference.RandomValues(columns, seed: 8);
        float[] gradient = (float[])start.Clone();
        Bias.AccumulateColumnSums(matrix, gradient, rows);
        for (int j = 0; j < columns; j++)
        {
            double expected = start[j];
            for (int r = 0; r < rows; r++)
            {
                expected += matrix[(r * columns) + j];
            }

            Assert.Equal(expected, gradient[j], 1e-4);
        }
    }

    [Fact]
    public void RejectsMismatchedLengths()
    {
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => Bias.AddToRows(new float[11], new float[3], 3, 4)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Bias.AddToRows(new float[12], new float[4], 3, 4)).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => Bias.AddToColumns(new float[12], new float[5], 3)).ParamName);
        Assert.Equal("biasGradient", Assert.Throws<ArgumentException>(() => Bias.AccumulateRowSums(new float[12], new float[2], 3, 4)).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => Bias.AccumulateColumnSums(new float[13], new float[4], 3)).ParamName);
    }
}
