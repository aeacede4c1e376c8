namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Splits one sample's <see cref="ImplicitConvolution"/> over <see cref="Parallelism"/>'s workers by blocks of output
/// rows — the batch-1 case, where there are no samples to share out — through <see cref="ParallelGate"/>: each worker
/// computes its rows of the pixel-major product; the channels-last copy of the input before and the transpose into the
/// output with the bias (and ReLU) after stay on the calling thread. Weights packed within the call
/// (<see cref="ImplicitConvolution.PackAndForward"/>) are packed in the same fork: the workers take panels to pack
/// until none is left, then wait until all are packed, as every row reads every panel. Depth is not split, so the
/// result is bit-identical for any thread count.
/// </summary>
/// <remarks>
/// Packed by the caller before the fork, the seed net's conv2 weights cost the unfrozen network's call as much at two
/// threads as at one (≈ 12 µs over the frozen network's conv2 at 2 threads, 10–14 at 1); packed in the fork, conv2
/// took 67–73 µs (median of four processes 68) against 71–74 (72.8) for the caller packing first, the frozen one 58–64
/// (p10 of 2,000 calls inside the network, 2 threads, processes interleaved, load average 3.6–4.4). Storing every row
/// instead of comparing first took 92–95 µs: each core then rewrites lines the other holds. Splitting by panels of
/// output channels instead, each worker packing and then computing its own for every pixel, was slower: 62 µs against
/// 59 for the caller packing, and 2–5 % slower with frozen weights (one process, interleaved), as each worker then
/// reads the whole bordered input where a block of rows reads only its own.
/// <para>
/// The workers do not transpose their rows into the output themselves: the layer after (a pooling, an add) reads the
/// output on the calling thread, and every line a worker wrote had to come across from the other core. With the
/// caller transposing the whole product, the seed net's pool2 after conv2 went from 2.8–3.4 to 1.2–1.3 µs (p50 of
/// 3,000 calls at batch 1, 2 threads, plain and frozen, three processes each, alternated; load 1.0–1.5) and conv2 itself
/// stayed within its noise (p50 58.1–68.3 µs against 57.6–70.7).
/// </para>
/// </remarks>
internal static unsafe class ImplicitConvolutionParallel
{
    /// <summary>
    /// One sample's convolution below this many FLOPs runs on one thread without asking. A fork/join through
    /// <see cref="ParallelGate"/> costs ≈ 1 µs when the second core is free, and this kernel runs ≈ 150 GFLOP/s a
    /// core on ResNet-8's 3 × 3 convolutions, so at 1 MFLOP (≈ 7 µs) two threads take ≈ 3.5 + 1 µs against 7.
    /// Above it the gate decides from the overhead it measures (tens of µs while another process holds the second
    /// core), instead of a fixed threshold high enough for that case — the blocked GEMM's 4 MFLOP
    /// (<see cref="GemmParallel.MinBlockedFlops"/>), which no ResNet-8 convolution (3.6 MFLOP at most) reaches.
    /// </summary>
    public const long MinFlops = 1_000_000;

    /// <summary>One core's rate on these convolutions at full width (≈ 150 GFLOP/s), for the time <see cref="ParallelGate"/> weighs against its measured split overhead.</summary>
    private const double FlopsPerNanosecond = 150;

    /// <summary>
    /// Computes the whole pixel-major product into <paramref name="product"/> from the channels-last
    /// <paramref name="padded"/> input in parallel — packing <paramref name="weight"/> into <paramref name="packedWeights"/>
    /// first unless it is empty — and returns true, or returns false (having packed nothing) if it should not. The caller
    /// transposes the product into the output.
    /// </summary>
    public static bool TryRun(
        in ConvolutionShape shape,
        Span<float> padded,
        ReadOnlySpan<float> weight,
        ReadOnlySpan<float> packedWeights,
        Span<float> product)
    {
        long flops = 2L * shape.OutputChannels * shape.PatchSize * shape.OutputPixels;
        if (flops < MinFlops)
        {
            return false;
        }

        // Panels taken to pack, then panels packed: on the caller's stack, which outlives the fork.
        int* panels = stackalloc int[2] { 0, 0 };
        fixed (float* a = padded, w = weight, b = packedWeights, c = product)
        {
            var job = new Job(shape, a, w, weight.Length, panels, b, c);
            return ParallelGate.TryRun(job, shape.OutputHeight, flops / FlopsPerNanosecond);
        }
    }

    private readonly struct Job(
        ConvolutionShape shape,
        float* padded,
        float* weight,
        int weightLength,
        int* panels,
        float* packedWeights,
        float* product)
        : IParallelJob
    {
        public void Run(int worker, int start, int end)
        {
            if (weightLength > 0)
            {
                Pack();
            }

            ImplicitConvolution.ComputeRows(shape, ref *padded, ref *packedWeights, ref *product, start, end);
        }

        /// <summary>
        /// Packs panels no other worker has taken, then waits until all are packed. Whoever packs a panel, its bits are
        /// the same. The other core reads every panel, so a row that already holds its bits is not stored again.
        /// </summary>
        private void Pack()
        {
            int count = ImplicitConvolution.PanelCount(shape);
            var source = new ReadOnlySpan<float>(weight, weightLength);
            for (int panel; (panel = Interlocked.Increment(ref panels[0]) - 1) < count;)
            {
                try
                {
                    ImplicitConvolution.PackPanels(shape, source, ref *packedWeights, panel, panel + 1);
                }
                finally
                {
                    Interlocked.Increment(ref panels[1]); // a failure is rethrown after the join, not waited for forever
                }
            }

            SpinWait wait = default;
            while (Volatile.Read(ref panels[1]) < count)
            {
                wait.SpinOnce(sleep1Threshold: -1);
            }
        }
    }
}
