using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Adding a bias and reducing its gradient, for both layouts a network uses: one bias per row
/// (a convolution's (C_out, H·W) output, one bias per channel plane) and one bias per column
/// (a dense layer's (batch, units) output).
/// </summary>
public static class Bias
{
    /// <summary>matrix[r, :] += bias[r]; matrix is (rows, columns), bias is (rows).</summary>
    public static void AddToRows(Span<float> matrix, ReadOnlySpan<float> bias, int rows, int columns)
    {
        CheckMatrix(matrix.Length, rows, columns, nameof(matrix));
        CheckLength(bias.Length, rows, "rows", nameof(bias));
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = matrix.Slice(r * columns, columns);
            TensorPrimitives.Add(row, bias[r], row);
        }
    }

    /// <summary>
    /// matrix[r, :] = max(matrix[r, :] + bias[r], 0): <see cref="AddToRows"/> and <see cref="Relu.Forward"/>
    /// in one pass, the epilogue of a convolution followed by ReLU. A row's last partial vector is done
    /// element by element (an overlapping vector would add the bias twice).
    /// </summary>
    public static void AddToRowsThenRelu(Span<float> matrix, ReadOnlySpan<float> bias, int rows, int columns)
    {
        CheckMatrix(matrix.Length, rows, columns, nameof(matrix));
        CheckLength(bias.Length, rows, "rows", nameof(bias));
        ref float start = ref MemoryMarshal.GetReference(matrix);
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref start, (nint)r * columns);
            float b = bias[r];
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<float> shift = Vector512.Create(b);
                for (; j <= columns - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    Vector512.Max(Vector512.LoadUnsafe(ref row, (nuint)j) + shift, Vector512<float>.Zero).StoreUnsafe(ref row, (nuint)j);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> shift = Vector256.Create(b);
                for (; j <= columns - Vector256<float>.Count; j += Vector256<float>.Count)
                {
                    Vector256.Max(Vector256.LoadUnsafe(ref row, (nuint)j) + shift, Vector256<float>.Zero).StoreUnsafe(ref row, (nuint)j);
                }
            }

            for (; j < columns; j++)
            {
                ref float value = ref Unsafe.Add(ref row, j);
                value = MathF.Max(value + b, 0f);
            }
        }
    }

    /// <summary>matrix[r, j] += bias[j]; matrix is (rows, bias.Length).</summary>
    public static void AddToColumns(Span<float> matrix, ReadOnlySpan<float> bias, int rows)
    {
        int columns = bias.Length;
        CheckMatrix(matrix.Length, rows, columns, nameof(matrix));
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = matrix.Slice(r * columns, columns);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>biasGradient[r] += Σ_j matrix[r, j]; the backward of <see cref="AddToRows"/>.</summary>
    public static void AccumulateRowSums(ReadOnlySpan<float> matrix, Span<float> biasGradient, int rows, int columns)
    {
        CheckMatrix(matrix.Length, rows, columns, nameof(matrix));
        CheckLength(biasGradient.Length, rows, "rows", nameof(biasGradient));
        for (int r = 0; r < rows; r++)
        {
            biasGradient[r] += TensorPrimitives.Sum(matrix.Slice(r * columns, columns));
        }
    }

    /// <summary>biasGradient[j] += Σ_r matrix[r, j]; matrix is (rows, biasGradient.Length); the backward of <see cref="AddToColumns"/>.</summary>
    public static void AccumulateColumnSums(ReadOnlySpan<float> matrix, Span<float> biasGradient, int rows)
    {
        int columns = biasGradient.Length;
        CheckMatrix(matrix.Length, rows, columns, nameof(matrix));
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(biasGradient, matrix.Slice(r * columns, columns), biasGradient);
        }
    }

    private static void CheckMatrix(int length, int rows, int columns, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (length != (long)rows * columns)
        {
            throw new ArgumentException(
                $"Expected rows·columns = {(long)rows * columns} floats (rows={rows}, columns={columns}), but the span holds {length}.", name);
        }
    }

    private static void CheckLength(int length, int expected, string what, string name)
    {
        if (length != expected)
        {
            throw new ArgumentException($"Expected one value per {what[..^1]} ({expected}), but the span holds {length}.", name);
        }
    }
}
