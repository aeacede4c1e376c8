namespace CnnGen.Runtime.Kernels;

/// <summary>
/// When a whole-batch pass that reads and writes each element once (ReLU, BatchNorm at inference, global average
/// pooling) splits over <see cref="Parallelism"/>'s workers through <see cref="ParallelGate"/>, and the job that
/// splits a span into contiguous chunks. Results do not depend on the split: each element is computed alone.
/// </summary>
internal static unsafe class ElementwiseParallel
{
    /// <summary>
    /// Passes over fewer elements run on one thread. Such a pass streams ≈ 4 floats a nanosecond from L2 (≈ 16 µs for
    /// 64 Ki floats), and a fork/join costs ≈ 1 µs with the second core free, so from here two threads save ≈ 7 µs a
    /// pass; a batch-1 ResNet-8 tensor (12,544 floats, ≈ 3 µs) stays on one thread, a batch of 64 splits.
    /// </summary>
    public const int MinElements = 64 * 1024;

    /// <summary>Floats per unit of a chunked split: whole vectors at every width, and 16 KB, an L1-sized block.</summary>
    public const int ChunkElements = 4096;

    /// <summary>
    /// Runs <paramref name="job"/>, a pass over <paramref name="elements"/> floats cut into <paramref name="units"/>
    /// independent units, on the workers and returns true, or returns false if one thread should: fewer than
    /// <see cref="MinElements"/> floats or 2 units, or the gate finds the split would not pay.
    /// </summary>
    public static bool TryRun<TJob>(in TJob job, int units, long elements)
        where TJob : struct, IParallelJob =>
        units >= 2 && elements >= MinElements && Parallelism.ThreadCount >= 2
        && ParallelGate.TryRun(job, units, elements / FloatsPerNanosecond);

    /// <summary>A pass's rate on one core from L2 (see <see cref="MinElements"/>).</summary>
    private const double FloatsPerNanosecond = 4;

    /// <summary>Runs <c>max(values, 0)</c> in place over contiguous chunks in parallel and returns true, or returns false if one thread should.</summary>
    public static bool TryRelu(Span<float> values)
    {
        fixed (float* v = values)
        {
            return TryRun(new ReluChunks(v, values.Length), (values.Length + ChunkElements - 1) / ChunkElements, values.Length);
        }
    }

    private readonly struct ReluChunks(float* values, int length) : IParallelJob
    {
        public void Run(int worker, int start, int end)
        {
            int first = start * ChunkElements;
            var chunk = new Span<float>(values + first, Math.Min(end * ChunkElements, length) - first);
            System.Numerics.Tensors.TensorPrimitives.Max(chunk, 0f, chunk);
        }
    }
}
