using System.Numerics.Tensors;

namespace CnnGen.Runtime.Training;

/// <summary>
/// The mean over every element of <c>(output − target)²</c>: PyTorch's <c>nn.MSELoss()</c>.
/// </summary>
/// <remarks>
/// Outputs and targets are (N, outputs) row-major, so the mean divides by N·outputs, and
/// <c>dLoss/dOutput = 2(output − target) / (N·outputs)</c>.
/// </remarks>
public sealed class MeanSquaredError : ILoss<float>
{
    // Loss without a gradient buffer squares differences in stack chunks of this many floats.
    private const int ChunkLength = 256;

    /// <summary>A shared instance; the loss holds no state.</summary>
    public static MeanSquaredError Instance { get; } = new();

    /// <inheritdoc/>
    public float Loss(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets)
    {
        CheckLengths(outputs, targets);
        Span<float> chunk = stackalloc float[Math.Min(outputs.Length, ChunkLength)];
        double sumOfSquares = 0;
        for (int start = 0; start < outputs.Length; start += chunk.Length)
        {
            Span<float> difference = chunk[..Math.Min(chunk.Length, outputs.Length - start)];
            TensorPrimitives.Subtract(outputs.Slice(start, difference.Length), targets.Slice(start, difference.Length), difference);
            sumOfSquares += TensorPrimitives.SumOfSquares(difference);
        }

        return (float)(sumOfSquares / outputs.Length);
    }

    /// <inheritdoc/>
    /// <remarks><paramref name="outputGradient"/> may be the very span of <paramref name="outputs"/> (in place).</remarks>
    public float Backward(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> outputGradient)
    {
        CheckLengths(outputs, targets);
        if (outputGradient.Length != outputs.Length)
        {
            throw new ArgumentException(
                $"The output gradient has {outputGradient.Length} elements but the outputs have {outputs.Length}.",
                nameof(outputGradient));
        }

        // Same chunking as Loss so both return the same value for the same batch.
        double sumOfSquares = 0;
        for (int start = 0; start < outputs.Length; start += ChunkLength)
        {
            int length = Math.Min(ChunkLength, outputs.Length - start);
            Span<float> difference = outputGradient.Slice(start, length);
            TensorPrimitives.Subtract(outputs.Slice(start, length), targets.Slice(start, length), difference);
            sumOfSquares += TensorPrimitives.SumOfSquares(difference);
        }

        TensorPrimitives.Multiply(outputGradient, 2f / outputs.Length, outputGradient);
        return (float)(sumOfSquares / outputs.Length);
    }

    private static void CheckLengths(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets)
    {
        if (outputs.Length != targets.Length)
        {
            throw new ArgumentException(
                $"The outputs have {outputs.Length} elements but the targets have {targets.Length}.", nameof(targets));
        }

        if (outputs.IsEmpty)
        {
            throw new ArgumentException("The batch is empty: there must be at least one output.", nameof(outputs));
        }
    }
}
