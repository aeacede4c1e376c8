using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CnnGen.Runtime.Rules;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// PyTorch <c>nn.BatchNorm2d</c> (affine, tracking running statistics) over x (N, C, P) with P = H·W:
/// NCHW, element (n, c, p) at (n·C + c)·P + p, so channel c is N planes of P contiguous floats.
/// </summary>
/// <remarks>
/// <para>
/// Training normalizes with the batch statistics of each channel over its M = N·P values,
/// x̂ = (x − mean)/√(var + ε) with the biased variance, y = γ·x̂ + β, and updates the running statistics
/// with the unbiased variance var·M/(M − 1), as PyTorch does. Inference uses the running statistics.
/// Backward is that of the training forward (batch statistics), as <c>loss.backward()</c> in train mode.
/// </para>
/// <para>
/// Precision: the statistics and the gradient reductions are accumulated in double
/// (<see cref="WidenedSums"/>, PyTorch's CPU kernels do the same), the variance and Σ dy·x̂ in two passes
/// about the mean, never as E[x²] − mean². The element-wise passes (one <see cref="Vector256{T}"/> loop
/// per plane, one read and one write of every element) form x − mean first, y = (x − mean)·scale + shift,
/// rather than x·scale + (β − mean·scale), so a channel whose mean is large against its spread loses
/// nothing to cancellation.
/// </para>
/// <para>
/// Aliasing: each output element depends only on inputs at the same index (and on per-channel sums taken
/// before the first write), so a forward's output may be its input and the backward's input gradient may
/// be its output gradient, exactly (in place). Partial overlaps throw.
/// </para>
/// </remarks>
public static class BatchNorm
{
    /// <summary>
    /// Training forward. Per channel c over its M = N·P values: mean, biased var,
    /// y = (x − mean)/√(var + ε)·γ + β; runningMean = (1 − momentum)·runningMean + momentum·mean,
    /// runningVar = (1 − momentum)·runningVar + momentum·var·M/(M − 1).
    /// </summary>
    /// <param name="input">x, (N, C, P).</param>
    /// <param name="output">y, (N, C, P); may be <paramref name="input"/> itself.</param>
    /// <param name="batch">N.</param>
    /// <param name="channels">C.</param>
    /// <param name="plane">P = H·W.</param>
    /// <param name="weight">γ, (C).</param>
    /// <param name="bias">β, (C).</param>
    /// <param name="runningMean">(C), updated.</param>
    /// <param name="runningVar">(C), updated with the unbiased variance.</param>
    /// <param name="momentum">PyTorch's momentum (0.1 by default): the weight of the new batch.</param>
    /// <param name="epsilon">ε, added to the variance (1e-5 by default).</param>
    /// <param name="saved">(2·C), written for <see cref="Backward"/>: the C means, then the C invStd = 1/√(var + ε).</param>
    /// <exception cref="ArgumentException">A length does not match the shape, or M = N·P is 1 (PyTorch: "Expected more than 1 value per channel when training").</exception>
    public static void ForwardTraining(ReadOnlySpan<float> input, Span<float> output, int batch, int channels, int plane,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> runningMean, Span<float> runningVar,
        float momentum, float epsilon, Span<float> saved)
    {
        int count = CheckInput(input.Length, batch, channels, plane);
        CheckSameLength(output.Length, nameof(output), input.Length, nameof(input));
        CheckInPlaceOrDisjoint(input, output, nameof(output), nameof(input));
        CheckChannels(weight.Length, nameof(weight), channels);
        CheckChannels(bias.Length, nameof(bias), channels);
        CheckChannels(runningMean.Length, nameof(runningMean), channels);
        CheckChannels(runningVar.Length, nameof(runningVar), channels);
        CheckSameLength(saved.Length, nameof(saved), PackedSizes.BatchNormSavedStatistics(channels), "2·channels");
        if (count == 1)
        {
            throw new ArgumentException(
                $"Expected more than 1 value per channel when training, got batch·plane = {batch}·{plane} = 1 (input size ({batch}, {channels}, {plane})).",
                nameof(input));
        }

        double momentumD = momentum, unbiased = count / (count - 1.0);
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int n = 0; n < batch; n++)
            {
                sum += WidenedSums.Sum(Plane(input, n, c, channels, plane));
            }

            double mean = sum / count;
            double squares = 0;
            for (int n = 0; n < batch; n++)
            {
                squares += WidenedSums.SquaredDeviations(Plane(input, n, c, channels, plane), mean);
            }

            double variance = squares / count;
            double invStd = 1 / Math.Sqrt(variance + epsilon);

            // y = (x − m)·scale + β with m the float mean; x − m is exact to a rounding of its result,
            // and the part of the mean m leaves out (mean − m) moves into the shift.
            float meanF = (float)mean;
            double scale = weight[c] * invStd;
            var scaleF = (float)scale;
            var shiftF = (float)(bias[c] - ((mean - meanF) * scale));
            for (int n = 0; n < batch; n++)
            {
                CenterScaleShift(Plane(input, n, c, channels, plane), meanF, scaleF, shiftF, Plane(output, n, c, channels, plane));
            }

            runningMean[c] = (float)(((1 - momentumD) * runningMean[c]) + (momentumD * mean));
            runningVar[c] = (float)(((1 - momentumD) * runningVar[c]) + (momentumD * variance * unbiased));
            saved[c] = meanF;
            saved[channels + c] = (float)invStd;
        }
    }

    /// <summary>Inference forward: y = (x − runningMean)/√(runningVar + ε)·γ + β per channel.</summary>
    /// <param name="input">x, (N, C, P).</param>
    /// <param name="output">y, (N, C, P); may be <paramref name="input"/> itself.</param>
    /// <param name="batch">N.</param>
    /// <param name="channels">C.</param>
    /// <param name="plane">P = H·W.</param>
    /// <param name="weight">γ, (C).</param>
    /// <param name="bias">β, (C).</param>
    /// <param name="runningMean">(C).</param>
    /// <param name="runningVar">(C).</param>
    /// <param name="epsilon">ε.</param>
    public static void ForwardInference(ReadOnlySpan<float> input, Span<float> output, int batch, int channels, int plane,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, float epsilon)
    {
        CheckInput(input.Length, batch, channels, plane);
        CheckSameLength(output.Length, nameof(output), input.Length, nameof(input));
        CheckInPlaceOrDisjoint(input, output, nameof(output), nameof(input));
        CheckChannels(weight.Length, nameof(weight), channels);
        CheckChannels(bias.Length, nameof(bias), channels);
        CheckChannels(runningMean.Length, nameof(runningMean), channels);
        CheckChannels(runningVar.Length, nameof(runningVar), channels);
        unsafe
        {
            fixed (float* x = input, y = output, gamma = weight, beta = bias, mean = runningMean, variance = runningVar)
            {
                var job = new InferenceSamples(x, y, channels, plane, gamma, beta, mean, variance, epsilon);
                if (!ElementwiseParallel.TryRun(job, batch, input.Length))
                {
                    job.Run(0, 0, batch);
                }
            }
        }
    }

    /// <summary>Samples [start, end) of <see cref="ForwardInference"/>, channel by channel.</summary>
    private static void ForwardInferenceSamples(ReadOnlySpan<float> input, Span<float> output, int start, int end, int channels, int plane,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, float epsilon)
    {
        for (int c = 0; c < channels; c++)
        {
            var scale = (float)(weight[c] / Math.Sqrt((double)runningVar[c] + epsilon));
            float mean = runningMean[c], shift = bias[c];
            for (int n = start; n < end; n++)
            {
                CenterScaleShift(Plane(input, n, c, channels, plane), mean, scale, shift, Plane(output, n, c, channels, plane));
            }
        }
    }

    /// <summary>A batch of <see cref="ForwardInference"/> split by samples over the workers (each element is computed alone).</summary>
    private readonly unsafe struct InferenceSamples(
        float* input, float* output, int channels, int plane, float* weight, float* bias, float* runningMean, float* runningVar, float epsilon)
        : IParallelJob
    {
        public void Run(int worker, int start, int end)
        {
            int sample = channels * plane;
            ForwardInferenceSamples(
                new ReadOnlySpan<float>(input, end * sample),
                new Span<float>(output, end * sample),
                start,
                end,
                channels,
                plane,
                new ReadOnlySpan<float>(weight, channels),
                new ReadOnlySpan<float>(bias, channels),
                new ReadOnlySpan<float>(runningMean, channels),
                new ReadOnlySpan<float>(runningVar, channels),
                epsilon);
        }
    }

    /// <summary>
    /// Backward of <see cref="ForwardTraining"/>. Per channel c over its M values, with
    /// x̂ = (x − mean)·invStd recomputed from <paramref name="input"/> and <paramref name="saved"/>:
    /// weightGradient[c] += Σ dy·x̂, biasGradient[c] += Σ dy, and (unless <paramref name="inputGradient"/> is empty)
    /// dx = γ·invStd·(dy − mean(dy) − x̂·mean(dy·x̂)), overwriting.
    /// </summary>
    /// <param name="input">The forward's x, (N, C, P).</param>
    /// <param name="outputGradient">dy = dLoss/dy, (N, C, P).</param>
    /// <param name="inputGradient">dx = dLoss/dx, (N, C, P), overwritten; empty to skip. May be
    /// <paramref name="outputGradient"/> itself (in place); must not partly overlap it or <paramref name="input"/>.</param>
    /// <param name="batch">N.</param>
    /// <param name="channels">C.</param>
    /// <param name="plane">P = H·W.</param>
    /// <param name="weight">γ, (C).</param>
    /// <param name="saved">(2·C) as <see cref="ForwardTraining"/> wrote it: means, then invStd.</param>
    /// <param name="weightGradient">dLoss/dγ, (C), accumulated (+=).</param>
    /// <param name="biasGradient">dLoss/dβ, (C), accumulated (+=).</param>
    public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient,
        int batch, int channels, int plane, ReadOnlySpan<float> weight, ReadOnlySpan<float> saved,
        Span<float> weightGradient, Span<float> biasGradient)
    {
        int count = CheckInput(input.Length, batch, channels, plane);
        CheckSameLength(outputGradient.Length, nameof(outputGradient), input.Length, nameof(input));
        bool inputGradientWanted = !inputGradient.IsEmpty;
        if (inputGradientWanted)
        {
            CheckSameLength(inputGradient.Length, nameof(inputGradient), input.Length, nameof(input));
            CheckInPlaceOrDisjoint(outputGradient, inputGradient, nameof(inputGradient), nameof(outputGradient));
            CheckInPlaceOrDisjoint(input, inputGradient, nameof(inputGradient), nameof(input));
        }

        CheckChannels(weight.Length, nameof(weight), channels);
        CheckSameLength(saved.Length, nameof(saved), PackedSizes.BatchNormSavedStatistics(channels), "2·channels");
        CheckChannels(weightGradient.Length, nameof(weightGradient), channels);
        CheckChannels(biasGradient.Length, nameof(biasGradient), channels);
        for (int c = 0; c < channels; c++)
        {
            float mean = saved[c];
            double invStd = saved[channels + c];
            double sumDy = 0, sumDyCentered = 0; // Σ dy, Σ dy·(x − mean)
            for (int n = 0; n < batch; n++)
            {
                ReadOnlySpan<float> dy = Plane(outputGradient, n, c, channels, plane);
                sumDy += WidenedSums.Sum(dy);
                sumDyCentered += WidenedSums.DotDeviations(dy, Plane(input, n, c, channels, plane), mean);
            }

            weightGradient[c] += (float)(sumDyCentered * invStd);
            biasGradient[c] += (float)sumDy;
            if (!inputGradientWanted)
            {
                continue;
            }

            // dx = k·dy + slope·(x − mean) + offset with k = γ·invStd, slope = −k·invStd²·Σ dy·(x − mean)/M
            // (x̂·mean(dy·x̂) = (x − mean)·invStd²·Σ dy·(x − mean)/M) and offset = −k·mean(dy).
            double k = weight[c] * invStd;
            var slope = (float)(-k * invStd * invStd * sumDyCentered / count);
            var offset = (float)(-k * sumDy / count);
            for (int n = 0; n < batch; n++)
            {
                InputGradient(Plane(input, n, c, channels, plane), Plane(outputGradient, n, c, channels, plane), mean, slope, offset, (float)k,
                    Plane(inputGradient, n, c, channels, plane));
            }
        }
    }

    // y = (x − center)·scale + shift, element-wise; y may be x itself (each element is read before it is written).
    private static void CenterScaleShift(ReadOnlySpan<float> x, float center, float scale, float shift, Span<float> y)
    {
        ref float xStart = ref MemoryMarshal.GetReference(x);
        ref float yStart = ref MemoryMarshal.GetReference(y);
        int length = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> c = Vector256.Create(center), s = Vector256.Create(scale), b = Vector256.Create(shift);
            for (; i <= length - 8; i += 8)
            {
                (((Vector256.LoadUnsafe(ref xStart, (nuint)i) - c) * s) + b).StoreUnsafe(ref yStart, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref yStart, i) = ((Unsafe.Add(ref xStart, i) - center) * scale) + shift;
        }
    }

    // dx = dy·k + ((x − center)·slope + offset), element-wise; dx may be dy or x itself.
    private static void InputGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float center, float slope, float offset, float k, Span<float> dx)
    {
        ref float xStart = ref MemoryMarshal.GetReference(x);
        ref float dyStart = ref MemoryMarshal.GetReference(dy);
        ref float dxStart = ref MemoryMarshal.GetReference(dx);
        int length = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> c = Vector256.Create(center), s = Vector256.Create(slope), o = Vector256.Create(offset), kv = Vector256.Create(k);
            for (; i <= length - 8; i += 8)
            {
                Vector256<float> centered = Vector256.LoadUnsafe(ref xStart, (nuint)i) - c;
                ((Vector256.LoadUnsafe(ref dyStart, (nuint)i) * kv) + ((centered * s) + o)).StoreUnsafe(ref dxStart, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref dxStart, i) = (Unsafe.Add(ref dyStart, i) * k) + (((Unsafe.Add(ref xStart, i) - center) * slope) + offset);
        }
    }

    private static Span<float> Plane(Span<float> tensor, int n, int c, int channels, int plane) =>
        tensor.Slice(((n * channels) + c) * plane, plane);

    private static ReadOnlySpan<float> Plane(ReadOnlySpan<float> tensor, int n, int c, int channels, int plane) =>
        tensor.Slice(((n * channels) + c) * plane, plane);

    // M = N·P, the values per channel.
    private static int CheckInput(int length, int batch, int channels, int plane)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(plane);
        if (length != (long)batch * channels * plane)
        {
            throw new ArgumentException(
                $"input has {length} floats, not batch·channels·plane = {batch}·{channels}·{plane} = {(long)batch * channels * plane}.", "input");
        }

        return batch * plane;
    }

    private static void CheckChannels(int length, string name, int channels)
    {
        if (length != channels)
        {
            throw new ArgumentException($"{name} has {length} floats but channels is {channels}.", name);
        }
    }

    private static void CheckSameLength(int length, string name, int expected, string expectedName)
    {
        if (length != expected)
        {
            throw new ArgumentException($"{name} has {length} floats but {expectedName} has {expected}.", name);
        }
    }

    private static void CheckInPlaceOrDisjoint(ReadOnlySpan<float> input, ReadOnlySpan<float> output, string name, string otherName)
    {
        if (input.Overlaps(output, out int offset) && offset != 0)
        {
            throw new ArgumentException($"{name} overlaps {otherName} at an offset of {offset} floats; pass the same span (in place) or a disjoint one.", name);
        }
    }
}
