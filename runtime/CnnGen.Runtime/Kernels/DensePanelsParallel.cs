namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Splits one sample's <see cref="DensePanels"/> product over <see cref="Parallelism"/>'s workers by panels:
/// each core streams its own share of a weight that L3 or memory delivers at a per-core rate (the seed net's
/// 12.5 MB dense1). Each unit is still summed by one thread in input order, so the result is bit-identical
/// for any thread count.
/// </summary>
/// <remarks>
/// Runs through <see cref="ParallelGate"/>. The list of nonzero inputs lives on the caller's stack, which stays
/// put while the caller waits for the workers.
/// </remarks>
internal static unsafe class DensePanelsParallel
{
    /// <summary>Computes every panel in parallel and returns true, or returns false if it should not.</summary>
    public static bool TryRun(DensePanels.Packed weight, ReadOnlySpan<float> input, ReadOnlySpan<int> list, bool listed, Span<float> output)
    {
        if ((long)weight.Outputs * weight.Inputs < GemmParallel.MinDotElements)
        {
            return false;
        }

        fixed (float* x = input, y = output)
        fixed (int* l = list)
        {
            return ParallelGate.TryRun(new Job(weight, x, input.Length, l, list.Length, listed, y, output.Length), DensePanels.PanelCount(weight));
        }
    }

    private readonly struct Job(DensePanels.Packed weight, float* input, int inputLength, int* list, int listLength, bool listed, float* output, int outputLength)
        : IParallelJob
    {
        public void Run(int worker, int start, int end) =>
            DensePanels.ForwardPanels(
                weight,
                new ReadOnlySpan<float>(input, inputLength),
                new ReadOnlySpan<int>(list, listLength),
                listed,
                new Span<float>(output, outputLength),
                start,
                end);
    }
}
