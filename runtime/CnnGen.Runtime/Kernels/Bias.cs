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
                j = AddThenRelu<Lanes512, Vector512<float>>(ref row, j, columns, b);
            }

            if (Vector256.IsHardwareAccelerated)
            {
                j = AddThenRelu<Lanes256, Vector256<float>>(ref row, j, columns, b);
            }

            if (Vector128.IsHardwareAccelerated)
            {
                j = AddThenRelu<Lanes128, Vector128<float>>(ref row, j, columns, b);
            }

            for (; j < columns; j++)
            {
                ref float value = ref Unsafe.Add(ref row, j);
                value = MathF.Max(value + b, 0f);
            }
        }
    }

    /// <summary>row[j..] = max(row[j..] + bias, 0) in whole vectors; returns where they end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AddThenRelu<TLanes, TVector>(ref float row, int j, int columns, float bias)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        TVector shift = TLanes.Broadcast(bias), zero = default;
        for (; j <= columns - TLanes.Count; j += TLanes.Count)
        {
            TLanes.Store(TLanes.Max(TLanes.Add(TLanes.Load(ref row, (nuint)j), shift), zero), ref row, (nuint)j);
        }

        return j;
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
