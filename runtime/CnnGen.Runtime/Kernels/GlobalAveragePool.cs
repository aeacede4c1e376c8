namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Global average pooling, PyTorch <c>nn.AdaptiveAvgPool2d(1)</c>: input is <c>rows</c> = N·C planes of
/// <c>plane</c> = H·W floats back to back (NCHW), output one float per plane, (N, C). Each mean is
/// accumulated in double (<see cref="WidenedSums"/>), so it is the float nearest the exact mean up to
/// one rounding. Backward needs no forward data; its two spans must not overlap.
/// </summary>
public static class GlobalAveragePool
{
    /// <summary>output[r] = Σ_p input[r, p] / plane.</summary>
    /// <param name="input">(rows, plane).</param>
    /// <param name="output">(rows).</param>
    /// <param name="rows">N·C.</param>
    /// <param name="plane">H·W.</param>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, int rows, int plane)
    {
        Check(input.Length, nameof(input), output.Length, nameof(output), rows, plane);
        unsafe
        {
            fixed (float* x = input, y = output)
            {
                if (ElementwiseParallel.TryRun(new ForwardRows(x, y, plane), rows, input.Length))
                {
                    return;
                }
            }
        }

        ForwardRowRange(input, output, 0, rows, plane);
    }

    private static void ForwardRowRange(ReadOnlySpan<float> input, Span<float> output, int start, int end, int plane)
    {
        for (int r = start; r < end; r++)
        {
            output[r] = (float)(WidenedSums.Sum(input.Slice(r * plane, plane)) / plane);
        }
    }

    /// <summary>Rows [start, end) of a forward split over the workers (each mean is computed alone).</summary>
    private readonly unsafe struct ForwardRows(float* input, float* output, int plane) : IParallelJob
    {
        public void Run(int worker, int start, int end) =>
            ForwardRowRange(new ReadOnlySpan<float>(input, end * plane), new Span<float>(output, end), start, end, plane);
    }

    /// <summary>inputGradient[r, p] = outputGradient[r] / plane for every p, overwriting.</summary>
    /// <param name="outputGradient">dLoss/dOutput, (rows).</param>
    /// <param name="inputGradient">dLoss/dInput, (rows, plane), overwritten.</param>
    /// <param name="rows">N·C.</param>
    /// <param name="plane">H·W.</param>
    public static void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rows, int plane)
    {
        Check(inputGradient.Length, nameof(inputGradient), outputGradient.Length, nameof(outputGradient), rows, plane);
        if (inputGradient.Overlaps(outputGradient))
        {
            throw new ArgumentException("inputGradient overlaps outputGradient; the backward needs them disjoint.", nameof(inputGradient));
        }

        for (int r = 0; r < rows; r++)
        {
            inputGradient.Slice(r * plane, plane).Fill(outputGradient[r] / plane);
        }
    }

    private static void Check(int planesLength, string planesName, int rowsLength, string rowsName, int rows, int plane)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(plane);
        if (planesLength != (long)rows * plane)
        {
            throw new ArgumentException(
                $"{planesName} has {planesLength} floats, not rows·plane = {rows}·{plane} = {(long)rows * plane}.", planesName);
        }

        if (rowsLength != rows)
        {
            throw new ArgumentException($"{rowsName} has {rowsLength} floats but rows is {rows} ({planesName} has {planesLength}).", rowsName);
        }
    }
}
