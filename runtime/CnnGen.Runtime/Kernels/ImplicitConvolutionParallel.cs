namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Splits one sample's <see cref="ImplicitConvolution"/> over <see cref="Parallelism"/>'s workers by
/// blocks of output rows — the batch-1 case, where there are no samples to share out. Depth is not split,
/// so the result is bit-identical for any thread count.
/// </summary>
/// <remarks>
/// As in <see cref="GemmParallel"/>: the chunk body is a cached delegate, the operands travel pinned in one
/// static job, and a call that finds another in flight (or runs inside a batch-parallel layer) computes on
/// its own thread.
/// </remarks>
internal static unsafe class ImplicitConvolutionParallel
{
    private static readonly object Gate = new();
    private static readonly Action<int, int, int> Rows = RunRows;

    private static Job s_job;

    /// <summary>Computes the whole pixel-major product in parallel and returns true, or returns false if it should not.</summary>
    public static bool TryRun(in ConvolutionShape shape, Span<float> padded, ReadOnlySpan<float> packedWeights, Span<float> product)
    {
        long flops = 2L * shape.OutputChannels * shape.PatchSize * shape.OutputPixels;
        if (Parallelism.ThreadCount < 2 || shape.OutputHeight < 2 || flops < GemmParallel.MinBlockedFlops || !Monitor.TryEnter(Gate))
        {
            return false;
        }

        try
        {
            fixed (float* a = padded, b = packedWeights, c = product)
            {
                s_job = new Job(shape, a, b, c);
                Parallelism.For(shape.OutputHeight, Rows);
            }
        }
        finally
        {
            s_job = default;
            Monitor.Exit(Gate);
        }

        return true;
    }

    private static void RunRows(int worker, int start, int end)
    {
        ref readonly Job job = ref s_job;
        ImplicitConvolution.ComputeRows(job.Shape, ref *job.Padded, ref *job.PackedWeights, ref *job.Product, start, end);
    }

    private readonly struct Job(ConvolutionShape shape, float* padded, float* packedWeights, float* product)
    {
        public readonly ConvolutionShape Shape = shape;
        public readonly float* Padded = padded, PackedWeights = packedWeights, Product = product;
    }
}
