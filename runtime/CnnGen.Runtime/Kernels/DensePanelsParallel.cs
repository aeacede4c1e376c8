namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Splits one sample's <see cref="DensePanels"/> product over <see cref="Parallelism"/>'s workers by panels:
/// each core streams its own share of a weight that L3 or memory delivers at a per-core rate (the seed net's
/// 12.5 MB dense1). Each unit is still summed by one thread in input order, so the result is bit-identical
/// for any thread count.
/// </summary>
/// <remarks>
/// As in <see cref="ImplicitConvolutionParallel"/>: the chunk body is a cached delegate, the operands travel
/// pinned in one static job, and a call that finds another in flight computes on its own thread. The list of
/// nonzero inputs lives on the caller's stack, which stays put while the caller waits for the workers.
/// </remarks>
internal static unsafe class DensePanelsParallel
{
    private static readonly object Gate = new();
    private static readonly Action<int, int, int> Chunk = RunPanels;

    private static Job s_job;

    /// <summary>Computes every panel in parallel and returns true, or returns false if it should not.</summary>
    public static bool TryRun(DensePanels.Packed weight, ReadOnlySpan<float> input, ReadOnlySpan<int> list, bool listed, Span<float> output)
    {
        int panels = DensePanels.PanelCount(weight);
        if (Parallelism.ThreadCount < 2 || panels < 2 || (long)weight.Outputs * weight.Inputs < GemmParallel.MinDotElements || !Monitor.TryEnter(Gate))
        {
            return false;
        }

        try
        {
            fixed (float* x = input, y = output)
            fixed (int* l = list)
            {
                s_job = new Job(weight, x, input.Length, l, list.Length, listed, y, output.Length);
                Parallelism.For(panels, Chunk);
            }
        }
        finally
        {
            s_job = default;
            Monitor.Exit(Gate);
        }

        return true;
    }

    private static void RunPanels(int worker, int start, int end)
    {
        ref readonly Job job = ref s_job;
        DensePanels.ForwardPanels(
            job.Weight!,
            new ReadOnlySpan<float>(job.Input, job.InputLength),
            new ReadOnlySpan<int>(job.List, job.ListLength),
            job.Listed,
            new Span<float>(job.Output, job.OutputLength),
            start,
            end);
    }

    private readonly struct Job(DensePanels.Packed weight, float* input, int inputLength, int* list, int listLength, bool listed, float* output, int outputLength)
    {
        public readonly DensePanels.Packed? Weight = weight;
        public readonly float* Input = input, Output = output;
        public readonly int* List = list;
        public readonly int InputLength = inputLength, ListLength = listLength, OutputLength = outputLength;
        public readonly bool Listed = listed;
    }
}
