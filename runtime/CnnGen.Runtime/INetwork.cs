namespace CnnGen.Runtime;

/// <summary>
/// What every generated network exposes to losses, optimizers and the trainer. Generated classes
/// implement it explicitly next to their <c>const</c> members (<c>InputLength</c>, ...).
/// </summary>
/// <remarks>
/// <para>
/// Threads: inference (<see cref="Forward"/>, <see cref="ForwardBatch"/> with <see cref="IsTraining"/> = false) may
/// run on any number of threads at once; training calls and parameter changes (<see cref="Parameters"/> writes,
/// <see cref="ResetParameters"/>, an optimizer step) are single-caller and must not overlap any call.
/// </para>
/// Training protocol for one mini-batch of <c>n</c> samples:
/// <code>
/// net.IsTraining = true;
/// net.ForwardBatch(inputs, outputs, n);        // caches what backward needs
/// loss.Backward(outputs, targets, outputGradient);
/// net.ZeroGradients();                          // or accumulate over several batches
/// net.BackwardBatch(outputGradient, default, n); // Gradients += dLoss/dParameters
/// optimizer.Step(net.Parameters, net.Gradients);
/// </code>
/// </remarks>
public interface INetwork
{
    /// <summary>Floats per input sample (C·H·W).</summary>
    int InputLength { get; }

    /// <summary>Floats per output sample.</summary>
    int OutputLength { get; }

    /// <summary>Length of <see cref="Parameters"/> and <see cref="Gradients"/>.</summary>
    int ParameterCount { get; }

    /// <summary>All trainable parameters, layer by layer, in PyTorch's <c>parameters()</c> order and layout.</summary>
    Span<float> Parameters { get; }

    /// <summary>Where each named weight and bias lives in <see cref="Parameters"/>, in PyTorch's names and shapes.</summary>
    IReadOnlyList<ParameterTensor> ParameterTensors { get; }

    /// <summary>
    /// Non-trainable state — BatchNorm's running means and variances — in PyTorch's <c>state_dict</c> order; empty
    /// for networks without such layers. Optimizers never touch it; training-mode forward passes update it.
    /// </summary>
    Span<float> State => Span<float>.Empty;

    /// <summary>Where each named state tensor (<c>bn1.running_mean</c>, ...) lives in <see cref="State"/>.</summary>
    IReadOnlyList<ParameterTensor> StateTensors => Array.Empty<ParameterTensor>();

    /// <summary>Each BatchNorm's <c>num_batches_tracked</c> (a 64-bit count, saved as PyTorch's I64 scalar).</summary>
    Span<long> BatchesTracked => Span<long>.Empty;

    /// <summary>The <c>state_dict</c> names of <see cref="BatchesTracked"/> (<c>bn1.num_batches_tracked</c>, ...).</summary>
    IReadOnlyList<string> BatchesTrackedNames => Array.Empty<string>();

    /// <summary>
    /// Sets <see cref="State"/> and <see cref="BatchesTracked"/> to the values PyTorch starts from (running means 0,
    /// running variances 1, counts 0), as <see cref="ResetParameters"/> leaves them; the parameters stay. A
    /// <see cref="Weights.WeightFile"/> of format version 1, which holds parameters only, loads this way. Single-caller, as
    /// <see cref="ResetParameters"/>. The default serves networks without state and refuses any other.
    /// </summary>
    /// <exception cref="NotSupportedException">The network has state but does not implement this member.</exception>
    void ResetState()
    {
        if (!State.IsEmpty || !BatchesTracked.IsEmpty)
        {
            throw new NotSupportedException($"{GetType().Name} has non-trainable state but does not implement INetwork.ResetState.");
        }
    }

    /// <summary>Gradients of the loss with respect to <see cref="Parameters"/>; same layout.</summary>
    Span<float> Gradients { get; }

    /// <summary>Training mode: dropout is active and <see cref="ForwardBatch"/> caches activations for backward.</summary>
    bool IsTraining { get; set; }

    /// <summary>The random source used by dropout; reseed it for reproducible training.</summary>
    RandomSource Random { get; }

    /// <summary>
    /// One sample, inference mode, no allocation once warm. Safe to call from any number of threads at once on one
    /// instance (generated networks serve an overlapping call from a pooled sibling that shares the parameters).
    /// </summary>
    void Forward(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>
    /// <paramref name="batchSize"/> samples laid out one after another (N·InputLength floats in,
    /// N·OutputLength out). Grows internal buffers on the first call with a larger batch only. With
    /// <see cref="IsTraining"/> = false, safe from any number of threads at once, as <see cref="Forward"/>; in training
    /// mode it needs the network to itself, and overlapping another call throws <see cref="InvalidOperationException"/>.
    /// </summary>
    void ForwardBatch(ReadOnlySpan<float> input, Span<float> output, int batchSize);

    /// <summary>
    /// Back-propagates <paramref name="outputGradient"/> (N·OutputLength) through the batch of the
    /// last training-mode <see cref="ForwardBatch"/>: adds parameter gradients into
    /// <see cref="Gradients"/> and, unless <paramref name="inputGradient"/> is empty, writes
    /// dLoss/dInput (N·InputLength) into it. Needs the network to itself: overlapping another call throws
    /// <see cref="InvalidOperationException"/>.
    /// </summary>
    void BackwardBatch(ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batchSize);

    /// <summary>Sets <see cref="Gradients"/> to zero.</summary>
    void ZeroGradients();

    /// <summary>Re-initializes every parameter as PyTorch does by default, from <paramref name="seed"/>.</summary>
    void ResetParameters(int seed);
}
