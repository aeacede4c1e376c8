using System.Numerics.Tensors;

namespace CnnGen.Runtime.Tests.Training;

/// <summary>
/// A hand-written <see cref="INetwork"/> for trainer tests: one linear layer, logits = x·Wᵀ + b,
/// with parameters laid out as PyTorch's <c>nn.Linear</c> (weight [classes, features], then bias).
/// It also checks the training protocol (backward only after a training forward of the same batch)
/// and records the batch sizes it sees, without allocating after the first batch.
/// </summary>
internal sealed class LinearSoftmaxNetwork : INetwork
{
    private readonly float[] _parameters;
    private readonly float[] _gradients;
    private float[] _cachedInput = [];
    private float[] _droppedInput = [];
    private int _cachedBatchSize = -1;
    private readonly int[] _trainingBatchSizes = new int[4096];
    private readonly float[] _trainingFirstFeatures = new float[4096];
    private int _trainingSamples;

    public LinearSoftmaxNetwork(int features, int classes, int seed)
    {
        InputLength = features;
        OutputLength = classes;
        _parameters = new float[ParameterCount];
        _gradients = new float[ParameterCount];
        ParameterTensors =
        [
            new ParameterTensor("linear.weight", 0, classes * features, [classes, features]),
            new ParameterTensor("linear.bias", classes * features, classes, [classes]),
        ];
        ResetParameters(seed);
    }

    public int InputLength { get; }

    public int OutputLength { get; }

    public int ParameterCount => OutputLength * InputLength + OutputLength;

    public Span<float> Parameters => _parameters;

    public IReadOnlyList<ParameterTensor> ParameterTensors { get; }

    public Span<float> Gradients => _gradients;

    public bool IsTraining { get; set; }

    public RandomSource Random { get; } = new(0);

    /// <summary>
    /// In training mode, each input feature is zeroed with this probability, drawn from <see cref="Random"/>
    /// (as dropout on the input would), so that tests see whether a run restores the network's random stream.
    /// </summary>
    public float InputDropout { get; init; }

    public int TrainingForwardCalls { get; private set; }

    public int InferenceForwardCalls { get; private set; }

    public int ZeroGradientsCalls { get; private set; }

    public ReadOnlySpan<int> TrainingBatchSizes => _trainingBatchSizes.AsSpan(0, Math.Min(TrainingForwardCalls, _trainingBatchSizes.Length));

    /// <summary>Feature 0 of every sample seen in training mode, in order (tests put the sample index there).</summary>
    public ReadOnlySpan<float> TrainingFirstFeatures => _trainingFirstFeatures.AsSpan(0, Math.Min(_trainingSamples, _trainingFirstFeatures.Length));

    private ReadOnlySpan<float> Weight => _parameters.AsSpan(0, OutputLength * InputLength);

    private ReadOnlySpan<float> Bias => _parameters.AsSpan(OutputLength * InputLength, OutputLength);

    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        for (int c = 0; c < OutputLength; c++)
        {
            output[c] = Bias[c] + TensorPrimitives.Dot(Weight.Slice(c * InputLength, InputLength), input);
        }
    }

    public void ForwardBatch(ReadOnlySpan<float> input, Span<float> output, int batchSize)
    {
        if (input.Length != batchSize * InputLength || output.Length != batchSize * OutputLength)
        {
            throw new ArgumentException($"Batch of {batchSize}: input {input.Length}, output {output.Length}.");
        }

        if (IsTraining && InputDropout > 0)
        {
            if (_droppedInput.Length < input.Length)
            {
                _droppedInput = new float[input.Length];
            }

            Span<float> dropped = _droppedInput.AsSpan(0, input.Length);
            for (int i = 0; i < input.Length; i++)
            {
                dropped[i] = Random.NextSingle() < InputDropout ? 0f : input[i];
            }

            input = dropped;
        }

        for (int n = 0; n < batchSize; n++)
        {
            Forward(input.Slice(n * InputLength, InputLength), output.Slice(n * OutputLength, OutputLength));
        }

        if (!IsTraining)
        {
            InferenceForwardCalls++;
            _cachedBatchSize = -1;
            return;
        }

        if (_cachedInput.Length < input.Length)
        {
            _cachedInput = new float[input.Length];
        }

        input.CopyTo(_cachedInput);
        _cachedBatchSize = batchSize;
        if (TrainingForwardCalls < _trainingBatchSizes.Length)
        {
            _trainingBatchSizes[TrainingForwardCalls] = batchSize;
        }

        TrainingForwardCalls++;
        for (int n = 0; n < batchSize && _trainingSamples < _trainingFirstFeatures.Length; n++)
        {
            _trainingFirstFeatures[_trainingSamples++] = input[n * InputLength];
        }
    }

    public void BackwardBatch(ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batchSize)
    {
        if (!IsTraining || batchSize != _cachedBatchSize || outputGradient.Length != batchSize * OutputLength)
        {
            throw new InvalidOperationException("BackwardBatch must follow a training ForwardBatch of the same batch.");
        }

        Span<float> weightGradient = _gradients.AsSpan(0, OutputLength * InputLength);
        Span<float> biasGradient = _gradients.AsSpan(OutputLength * InputLength, OutputLength);
        for (int n = 0; n < batchSize; n++)
        {
            ReadOnlySpan<float> x = _cachedInput.AsSpan(n * InputLength, InputLength);
            for (int c = 0; c < OutputLength; c++)
            {
                float g = outputGradient[n * OutputLength + c];

                // dW[c, :] += g·x, db[c] += g
                Span<float> row = weightGradient.Slice(c * InputLength, InputLength);
                TensorPrimitives.MultiplyAdd(x, g, row, row);
                biasGradient[c] += g;
            }

            if (!inputGradient.IsEmpty)
            {
                Span<float> dx = inputGradient.Slice(n * InputLength, InputLength);
                dx.Clear();
                for (int c = 0; c < OutputLength; c++)
                {
                    TensorPrimitives.MultiplyAdd(Weight.Slice(c * InputLength, InputLength), outputGradient[n * OutputLength + c], dx, dx);
                }
            }
        }
    }

    public void ZeroGradients()
    {
        ZeroGradientsCalls++;
        Array.Clear(_gradients);
    }

    // nn.Linear's default: U(−1/√in, 1/√in) for weight and bias.
    public void ResetParameters(int seed)
    {
        var random = new RandomSource((ulong)seed);
        float bound = 1f / MathF.Sqrt(InputLength);
        random.FillUniform(_parameters, -bound, bound);
    }
}
