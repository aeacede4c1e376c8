namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Splits one sample's <see cref="ImplicitConvolution"/> over <see cref="Parallelism"/>'s workers by
/// blocks of output rows — the batch-1 case, where there are no samples to share out — through
/// <see cref="ParallelGate"/>: each worker computes its rows of the pixel-major product and transposes them
/// into the output with the bias (and ReLU), so only the channels-last copy of the input stays on one thread.
/// Depth is not split, so the result is bit-identical for any thread count.
/// </summary>
internal static unsafe class ImplicitConvolutionParallel
{
    /// <summary>
    /// One sample's convolution below this many FLOPs runs on one thread. Chosen from measured costs: a
    /// fork/join through <see cref="ParallelGate"/> costs ≈ 1 µs when the second core is free (a worker
    /// still spinning after the last layer), and this kernel runs ≈ 150 GFLOP/s a core on ResNet-8's 3 × 3
    /// convolutions, so at 1 MFLOP (≈ 7 µs) two threads take ≈ 3.5 + 1 µs against 7. The blocked GEMM's
    /// threshold (<see cref="GemmParallel.MinBlockedFlops"/>, 4 MFLOP) also guards against a second core
    /// held by another process (≈ 7 µs a fork/join and no speed-up); kept that high, none of ResNet-8's
    /// convolutions (3.6 MFLOP at most) would split at batch 1.
    /// </summary>
    public const long MinFlops = 1_000_000;

    /// <summary>
    /// Computes the whole convolution from the channels-last <paramref name="padded"/> input in parallel —
    /// the pixel-major product into <paramref name="product"/>, then transposed into <paramref name="output"/>
    /// with <paramref name="bias"/> and <paramref name="relu"/> — and returns true, or returns false if it should not.
    /// </summary>
    public static bool TryRun(
        in ConvolutionShape shape,
        Span<float> padded,
        ReadOnlySpan<float> packedWeights,
        Span<float> product,
        Span<float> output,
        ReadOnlySpan<float> bias,
        bool relu)
    {
        if (2L * shape.OutputChannels * shape.PatchSize * shape.OutputPixels < MinFlops)
        {
            return false;
        }

        fixed (float* a = padded, b = packedWeights, c = product, y = output, beta = bias)
        {
            return ParallelGate.TryRun(new Job(shape, a, b, c, y, beta, bias.Length, relu), shape.OutputHeight);
        }
    }

    private readonly struct Job(ConvolutionShape shape, float* padded, float* packedWeights, float* product, float* output, float* bias, int biasLength, bool relu)
        : IParallelJob
    {
        public void Run(int worker, int start, int end)
        {
            ImplicitConvolution.ComputeRows(shape, ref *padded, ref *packedWeights, ref *product, start, end);
            ImplicitConvolution.TransposeRows(shape, ref *product, ref *output, new ReadOnlySpan<float>(bias, biasLength), relu, start, end);
        }
    }
}
