namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Splits one sample's <see cref="ImplicitConvolution"/> over <see cref="Parallelism"/>'s workers by
/// blocks of output rows — the batch-1 case, where there are no samples to share out — through
/// <see cref="ParallelGate"/>. Depth is not split, so the result is bit-identical for any thread count.
/// </summary>
internal static unsafe class ImplicitConvolutionParallel
{
    /// <summary>Computes the whole pixel-major product in parallel and returns true, or returns false if it should not.</summary>
    public static bool TryRun(in ConvolutionShape shape, Span<float> padded, ReadOnlySpan<float> packedWeights, Span<float> product)
    {
        if (2L * shape.OutputChannels * shape.PatchSize * shape.OutputPixels < GemmParallel.MinBlockedFlops)
        {
            return false;
        }

        fixed (float* a = padded, b = packedWeights, c = product)
        {
            return ParallelGate.TryRun(new Job(shape, a, b, c), shape.OutputHeight);
        }
    }

    private readonly struct Job(ConvolutionShape shape, float* padded, float* packedWeights, float* product) : IParallelJob
    {
        public void Run(int worker, int start, int end) =>
            ImplicitConvolution.ComputeRows(shape, ref *padded, ref *packedWeights, ref *product, start, end);
    }
}
