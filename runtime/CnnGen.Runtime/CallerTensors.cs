namespace CnnGen.Runtime;

/// <summary>
/// The input and output spans of one forward call, pinned while it runs, so that the generated layers —
/// on <see cref="Parallelism"/>'s worker threads too — read the caller's input and write the caller's output
/// in place instead of copying both through the network's activation buffer (at batch 64, the seed net's
/// conv2 alone would copy 1.6 MB in and 3.2 MB out).
/// </summary>
/// <remarks>
/// Generated code keeps the value in a field for the duration of <see cref="Run"/> and clears it after; the
/// default value has empty spans, so a stale read fails its bounds check rather than reaching freed memory.
/// </remarks>
public readonly unsafe struct CallerTensors
{
    private readonly float* _input;
    private readonly float* _output;
    private readonly int _inputLength;
    private readonly int _outputLength;

    private CallerTensors(float* input, int inputLength, float* output, int outputLength)
    {
        _input = input;
        _inputLength = inputLength;
        _output = output;
        _outputLength = outputLength;
    }

    /// <summary>Floats [start, start + length) of the input.</summary>
    public ReadOnlySpan<float> Input(int start, int length) => new ReadOnlySpan<float>(_input, _inputLength).Slice(start, length);

    /// <summary>Floats [start, start + length) of the output.</summary>
    public Span<float> Output(int start, int length) => new Span<float>(_output, _outputLength).Slice(start, length);

    /// <summary>Pins <paramref name="input"/> and <paramref name="output"/> and runs <paramref name="body"/> over them.</summary>
    public static void Run<TState>(ReadOnlySpan<float> input, Span<float> output, TState state, Action<TState, CallerTensors> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        fixed (float* i = input, o = output)
        {
            body(state, new CallerTensors(i, input.Length, o, output.Length));
        }
    }
}
