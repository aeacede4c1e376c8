namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Splits one sample's <see cref="ImplicitConvolution"/> over <see cref="Parallelism"/>'s workers — the batch-1 case,
/// where there are no samples to share out — through <see cref="ParallelGate"/>. Weights packed beforehand (a frozen
/// network) split by blocks of output rows; weights packed within the call split by panels of output channels, each
/// worker packing the panels it then computes for every pixel. Either way a worker transposes its part of the
/// pixel-major product into the output with the bias (and ReLU), so only the channels-last copy of the input stays on
/// one thread. Depth is not split, so the result is bit-identical for any thread count.
/// </summary>
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
    /// Computes the whole convolution from the channels-last <paramref name="padded"/> input in parallel — packing
    /// <paramref name="weight"/> into <paramref name="packedWeights"/> first unless it is empty (then split by panels),
    /// the pixel-major product
    /// into <paramref name="product"/>, then transposed into <paramref name="output"/> with <paramref name="bias"/> and
    /// <paramref name="relu"/> — and returns true, or returns false if it should not.
    /// </summary>
    public static bool TryRun(
        in ConvolutionShape shape,
        Span<float> padded,
        ReadOnlySpan<float> weight,
        ReadOnlySpan<float> packedWeights,
        Span<float> product,
        Span<float> output,
        ReadOnlySpan<float> bias,
        bool relu)
    {
        long flops = 2L * shape.OutputChannels * shape.PatchSize * shape.OutputPixels;
        if (flops < MinFlops)
        {
            return false;
        }

        bool byPanels = !weight.IsEmpty;
        fixed (float* a = padded, w = weight, b = packedWeights, c = product, y = output, beta = bias)
        {
            var job = new Job(shape, a, w, weight.Length, b, c, y, beta, bias.Length, relu, byPanels);
            return ParallelGate.TryRun(job, byPanels ? ImplicitConvolution.PanelCount(shape) : shape.OutputHeight, flops / FlopsPerNanosecond);
        }
    }

    /// <summary>
    /// Whether a call that packs its weights should split by panels (each worker packing its own) rather than have the
    /// caller pack them all and split by rows: whether there is a panel for every thread.
    /// </summary>
    public static bool PacksByPanels(in ConvolutionShape shape) => ImplicitConvolution.PanelCount(shape) >= Parallelism.ThreadCount;

    private readonly struct Job(
        ConvolutionShape shape,
        float* padded,
        float* weight,
        int weightLength,
        float* packedWeights,
        float* product,
        float* output,
        float* bias,
        int biasLength,
        bool relu,
        bool byPanels)
        : IParallelJob
    {
        public void Run(int worker, int start, int end)
        {
            var beta = new ReadOnlySpan<float>(bias, biasLength);
            if (byPanels)
            {
                ImplicitConvolution.ComputePanels(
                    shape, new ReadOnlySpan<float>(weight, weightLength), ref *padded, ref *packedWeights, ref *product, ref *output, beta, relu, start, end, compare: false);
            }
            else
            {
                ImplicitConvolution.ComputeRows(shape, ref *padded, ref *packedWeights, ref *product, ref *output, beta, relu, start, end);
            }
        }
    }
}
