using System.Numerics.Tensors;

namespace CnnGen.Runtime.Training;

/// <summary>
/// Softmax followed by the negative log-likelihood of the true class, averaged over the batch:
/// PyTorch's <c>nn.CrossEntropyLoss()</c> on raw logits with integer class labels.
/// </summary>
/// <remarks>
/// <para>
/// <c>logits</c> is (N, classes) row-major, <c>labels</c> is (N); the class count is
/// <c>logits.Length / labels.Length</c>. For one row, with <c>m = max(row)</c>:
/// <c>loss = (m − row[label]) + log Σ exp(row − m)</c>; subtracting the maximum keeps every
/// <c>exp</c> in (0, 1], so large logits cannot overflow.
/// </para>
/// <para>The gradient is <c>dLoss/dlogits = (softmax(row) − onehot(label)) / N</c>.</para>
/// </remarks>
public sealed class SoftmaxCrossEntropy : ILoss<int>
{
    // Loss without a gradient buffer exponentiates a row in stack chunks of this many floats.
    private const int ChunkLength = 256;

    /// <summary>A shared instance; the loss holds no state.</summary>
    public static SoftmaxCrossEntropy Instance { get; } = new();

    /// <inheritdoc/>
    public float Loss(ReadOnlySpan<float> outputs, ReadOnlySpan<int> targets)
    {
        int classes = ClassCount(outputs, targets);
        Span<float> chunk = stackalloc float[Math.Min(classes, ChunkLength)];
        double total = 0;
        for (int sample = 0; sample < targets.Length; sample++)
        {
            ReadOnlySpan<float> row = outputs.Slice(sample * classes, classes);
            int label = Label(targets, sample, classes);
            float max = TensorPrimitives.Max(row);
            float sumOfExp = 0;
            for (int start = 0; start < classes; start += chunk.Length)
            {
                Span<float> part = chunk[..Math.Min(chunk.Length, classes - start)];
                TensorPrimitives.Subtract(row.Slice(start, part.Length), max, part);
                TensorPrimitives.Exp(part, part);
                sumOfExp += TensorPrimitives.Sum(part);
            }

            total += (max - row[label]) + MathF.Log(sumOfExp);
        }

        return (float)(total / targets.Length);
    }

    /// <inheritdoc/>
    /// <remarks><paramref name="outputGradient"/> may be the very span of <paramref name="outputs"/> (in place).</remarks>
    public float Backward(ReadOnlySpan<float> outputs, ReadOnlySpan<int> targets, Span<float> outputGradient)
    {
        int classes = ClassCount(outputs, targets);
        if (outputGradient.Length != outputs.Length)
        {
            throw new ArgumentException(
                $"The output gradient has {outputGradient.Length} elements but the logits have {outputs.Length}.",
                nameof(outputGradient));
        }

        int batchSize = targets.Length;
        float inverseBatch = 1f / batchSize;
        double total = 0;
        for (int sample = 0; sample < batchSize; sample++)
        {
            ReadOnlySpan<float> row = outputs.Slice(sample * classes, classes);
            Span<float> gradientRow = outputGradient.Slice(sample * classes, classes);
            int label = Label(targets, sample, classes);

            // Read what the loss needs before the row may be overwritten in place.
            float max = TensorPrimitives.Max(row);
            float labelLogit = row[label];
            TensorPrimitives.Subtract(row, max, gradientRow);
            TensorPrimitives.Exp(gradientRow, gradientRow);
            float sumOfExp = TensorPrimitives.Sum(gradientRow);
            total += (max - labelLogit) + MathF.Log(sumOfExp);

            // (softmax − onehot) / N
            TensorPrimitives.Multiply(gradientRow, inverseBatch / sumOfExp, gradientRow);
            gradientRow[label] -= inverseBatch;
        }

        return (float)(total / batchSize);
    }

    /// <summary>
    /// How many rows of <paramref name="logits"/> (N, classes) have their largest value at the true
    /// label (the first maximum wins ties, as <c>torch.argmax</c>).
    /// </summary>
    public static int CountCorrect(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        int classes = ClassCount(logits, labels);
        int correct = 0;
        for (int sample = 0; sample < labels.Length; sample++)
        {
            if (TensorPrimitives.IndexOfMax(logits.Slice(sample * classes, classes)) == labels[sample])
            {
                correct++;
            }
        }

        return correct;
    }

    private static int ClassCount(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        if (labels.IsEmpty)
        {
            throw new ArgumentException("The batch is empty: there must be at least one label.", nameof(labels));
        }

        if (logits.Length == 0 || logits.Length % labels.Length != 0)
        {
            throw new ArgumentException(
                $"The logits have {logits.Length} elements, which is not a positive multiple of the {labels.Length} labels.",
                nameof(logits));
        }

        return logits.Length / labels.Length;
    }

    private static int Label(ReadOnlySpan<int> labels, int sample, int classes)
    {
        int label = labels[sample];
        if ((uint)label >= (uint)classes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(labels), label, $"Label {label} of sample {sample} is outside [0, {classes}).");
        }

        return label;
    }
}
