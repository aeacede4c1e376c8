using System.Diagnostics;
using CnnGen.Runtime.Data;

namespace CnnGen.Runtime.Training;

/// <summary>
/// Mini-batch training and evaluation of any <see cref="INetwork"/> on a labelled <see cref="Dataset"/>.
/// </summary>
/// <remarks>
/// <para>Each epoch of <see cref="Fit"/>:</para>
/// <code>
/// shuffle 0..N−1 (Fisher–Yates)                       one permutation per epoch
/// for each batch of B indices (the last may be shorter):
///     optimizer.LearningRate = schedule(epoch, batch, batchesPerEpoch, baseRate)
///     gather images (B, C·H·W) and labels (B)      → augment (optional)
///     network.ForwardBatch → loss.Backward → ZeroGradients → BackwardBatch
///     stop with TrainingDivergedException if the loss or a gradient is NaN or ±∞
///     optimizer.Step → report TrainingProgress → checkpoint every CheckpointInterval steps
/// evaluate the test set in inference mode → checkpoint → report EpochResult
/// </code>
/// <para>
/// With <see cref="TrainerOptions.CheckpointDirectory"/> the run can be interrupted at any point (even
/// killed while a checkpoint is written) and continued with <see cref="TrainerOptions.Resume"/>; on one
/// thread it then ends with the same parameters, bit for bit, as a run never interrupted.
/// </para>
/// <para>
/// Every buffer is allocated once per <see cref="Fit"/>; a step allocates nothing. On one thread a run
/// is reproducible bit for bit from <see cref="TrainerOptions.Seed"/> and the starting parameters.
/// </para>
/// </remarks>
public sealed class Trainer
{
    // Independent random streams derived from the seed, so that, e.g., turning augmentation on
    // does not change the shuffling order.
    private const uint NetworkStream = 1, ShuffleStream = 2, AugmentationStream = 3;

    /// <summary>A trainer with <paramref name="options"/>.</summary>
    public Trainer(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Epochs, "options.Epochs");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, "options.BatchSize");
        ArgumentNullException.ThrowIfNull(options.CreateOptimizer, "options.CreateOptimizer");
        ArgumentNullException.ThrowIfNull(options.Loss, "options.Loss");
        ArgumentOutOfRangeException.ThrowIfNegative(options.CheckpointInterval, "options.CheckpointInterval");
        if (options.Resume && options.CheckpointDirectory is null)
        {
            throw new ArgumentException("TrainerOptions.Resume needs a CheckpointDirectory to resume from.", nameof(options));
        }

        Options = options;
    }

    /// <summary>The settings of every run.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The checkpoint the last <see cref="Fit"/> resumed from, or <see langword="null"/> if it started afresh.</summary>
    public string? ResumedFrom { get; private set; }

    /// <summary>Why the last <see cref="Fit"/> passed over damaged checkpoint files (e.g. a newest file that fails its CRC-32).</summary>
    public IReadOnlyList<string> RejectedCheckpoints { get; private set; } = [];

    /// <summary>
    /// Trains <paramref name="network"/> on <paramref name="train"/> for <see cref="TrainerOptions.Epochs"/>
    /// epochs, evaluating on <paramref name="test"/> after each. Leaves the network in inference mode.
    /// </summary>
    /// <param name="network">The network; trained from its current parameters.</param>
    /// <param name="train">The training set; its samples must be <see cref="INetwork.InputLength"/> floats.</param>
    /// <param name="test">An optional held-out set, evaluated after every epoch.</param>
    /// <param name="batchProgress">Receives a <see cref="TrainingProgress"/> after every batch.</param>
    /// <param name="epochProgress">Receives each <see cref="EpochResult"/> as the epoch ends.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <returns>One result per epoch.</returns>
    public IReadOnlyList<EpochResult> Fit<TNetwork>(
        TNetwork network,
        Dataset train,
        Dataset? test = null,
        IProgress<TrainingProgress>? batchProgress = null,
        IProgress<EpochResult>? epochProgress = null,
        CancellationToken cancellationToken = default)
        where TNetwork : INetwork
    {
        ArgumentNullException.ThrowIfNull(network);
        CheckCompatible(network, train, nameof(train));
        if (train.Count == 0)
        {
            throw new ArgumentException("The training set is empty.", nameof(train));
        }

        if (test is not null)
        {
            CheckCompatible(network, test, nameof(test));
        }

        IOptimizer optimizer = Options.CreateOptimizer(network.ParameterCount)
            ?? throw new InvalidOperationException("TrainerOptions.CreateOptimizer returned null.");
        if (optimizer.ParameterCount != network.ParameterCount)
        {
            throw new InvalidOperationException(
                $"The optimizer was built for {optimizer.ParameterCount} parameters but the network has {network.ParameterCount}.");
        }

        float baseRate = optimizer.LearningRate;
        network.Random.Reset(StreamSeed(Options.Seed, NetworkStream));
        var shuffleRandom = new RandomSource(StreamSeed(Options.Seed, ShuffleStream));
        var augmentationRandom = new RandomSource(StreamSeed(Options.Seed, AugmentationStream));

        // Every buffer of the run: nothing is allocated per batch (checkpoints aside).
        int batchSize = Math.Min(Options.BatchSize, train.Count);
        int inputLength = network.InputLength, outputLength = network.OutputLength;
        var order = new int[train.Count];
        var batchImages = new float[CheckedSize.Floats(batchSize, inputLength, "batch size", "InputLength", "options")];
        float[] augmentedImages = Options.Augmentation is null ? [] : new float[batchImages.Length];
        var batchLabels = new int[batchSize];
        var outputs = new float[CheckedSize.Floats(batchSize, outputLength, "batch size", "OutputLength", "options")];
        var outputGradient = new float[outputs.Length];
        int batchesPerEpoch = (train.Count + batchSize - 1) / batchSize;
        var history = new List<EpochResult>(Options.Epochs);

        ResumedFrom = null;
        RejectedCheckpoints = [];
        var run = new RunIdentity(network.GetType().FullName!, optimizer.GetType().FullName!, Options.Seed, Options.BatchSize, train.Count);
        CheckpointTensors? checkpointTensors = Options.CheckpointDirectory is null ? null : CheckpointTensors.For(network, optimizer);
        TrainingCheckpoint? resumed = checkpointTensors is not null && Options.Resume
            ? Restore(network, optimizer, checkpointTensors, run, history, shuffleRandom, augmentationRandom)
            : null;
        int step = optimizer.StepCount;

        for (int epoch = resumed?.Epoch ?? 0; epoch < Options.Epochs; epoch++)
        {
            TrainingCheckpoint? partial = resumed?.Epoch == epoch ? resumed : null;
            long epochStart = Stopwatch.GetTimestamp() - (long)((partial?.EpochElapsed.TotalSeconds ?? 0) * Stopwatch.Frequency);
            float learningRate = Options.Schedule?.LearningRate(epoch, 0, batchesPerEpoch, baseRate) ?? baseRate;
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            UInt128 shuffleState = shuffleRandom.State;
            shuffleRandom.Shuffle(order);
            network.IsTraining = true;
            double lossSum = partial?.EpochLossSum ?? 0;
            int correct = partial?.EpochCorrect ?? 0, seen = partial?.EpochSeen ?? 0;
            for (int batch = partial?.Batch ?? 0; batch < batchesPerEpoch; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = batch * batchSize;
                int count = Math.Min(batchSize, train.Count - start);
                optimizer.LearningRate = Options.Schedule?.LearningRate(epoch, batch, batchesPerEpoch, baseRate) ?? baseRate;

                // images (count, C·H·W), labels (count), outputs and their gradient (count, OutputLength)
                Span<float> images = batchImages.AsSpan(0, count * inputLength);
                Span<int> labels = batchLabels.AsSpan(0, count);
                Span<float> batchOutputs = outputs.AsSpan(0, count * outputLength);
                Span<float> batchOutputGradient = outputGradient.AsSpan(0, count * outputLength);
                train.CopyBatch(order.AsSpan(start, count), images, labels);
                if (Options.Augmentation is { } augmentation)
                {
                    Span<float> augmented = augmentedImages.AsSpan(0, images.Length);
                    augmentation.Apply(images, augmented, train.Shape, augmentationRandom);
                    images = augmented;
                }

                network.ForwardBatch(images, batchOutputs, count);
                float loss = Options.Loss.Backward(batchOutputs, labels, batchOutputGradient);
                correct += SoftmaxCrossEntropy.CountCorrect(batchOutputs, labels);
                network.ZeroGradients();
                network.BackwardBatch(batchOutputGradient, default, count);
                DivergenceCheck.ThrowIfDiverged(network, loss, ++step, epoch, batch);
                optimizer.Step(network.Parameters, network.Gradients);

                lossSum += (double)loss * count;
                seen += count;
                batchProgress?.Report(new TrainingProgress(
                    epoch, Options.Epochs, batch, batchesPerEpoch, (float)(lossSum / seen), SamplesPerSecond(seen, epochStart)));
                if (checkpointTensors is not null && Options.CheckpointInterval > 0 && step % Options.CheckpointInterval == 0 && batch + 1 < batchesPerEpoch)
                {
                    SaveCheckpoint(epoch, batch + 1, shuffleState, lossSum, correct, seen, Stopwatch.GetElapsedTime(epochStart));
                }
            }

            EvaluationResult testResult = test is null ? new(float.NaN, float.NaN, 0) : EvaluateBatches(network, test, outputs);
            var result = new EpochResult(
                epoch,
                learningRate,
                (float)(lossSum / seen),
                (float)correct / seen,
                testResult.Loss,
                testResult.Accuracy,
                Stopwatch.GetElapsedTime(epochStart));
            history.Add(result);
            if (checkpointTensors is not null)
            {
                SaveCheckpoint(epoch + 1, 0, shuffleRandom.State, 0, 0, 0, TimeSpan.Zero);
            }

            epochProgress?.Report(result);
        }

        network.IsTraining = false;
        return history;

        // Before batch `nextBatch` of `nextEpoch`, with that epoch's shuffling state and running sums so far.
        void SaveCheckpoint(int nextEpoch, int nextBatch, UInt128 shuffleState, double lossSum, int correct, int seen, TimeSpan elapsed)
        {
            checkpointTensors.Gather(network); // the optimizer's state buffers are its own arrays: gathered with them
            CheckpointFiles.Write(Options.CheckpointDirectory!, checkpointTensors, new TrainingCheckpoint
            {
                Run = run,
                Epoch = nextEpoch,
                Batch = nextBatch,
                OptimizerSteps = optimizer.StepCount,
                NetworkRandom = network.Random.State,
                AugmentationRandom = augmentationRandom.State,
                ShuffleRandom = shuffleState,
                EpochLossSum = lossSum,
                EpochCorrect = correct,
                EpochSeen = seen,
                EpochElapsed = elapsed,
                History = history,
            });
        }
    }

    // Loads the newest sound checkpoint into the network, the optimizer and the random streams.
    private TrainingCheckpoint? Restore(
        INetwork network,
        IOptimizer optimizer,
        CheckpointTensors tensors,
        RunIdentity run,
        List<EpochResult> history,
        RandomSource shuffleRandom,
        RandomSource augmentationRandom)
    {
        var rejected = new List<string>();
        RejectedCheckpoints = rejected;
        if (CheckpointFiles.ReadNewest(Options.CheckpointDirectory!, tensors, rejected) is not { } found)
        {
            return null;
        }

        string[] differences = [.. found.Checkpoint.Run.Differences(run)];
        if (differences.Length > 0)
        {
            throw new InvalidOperationException($"Checkpoint '{found.Path}' cannot resume this run: {string.Join("; ", differences)}.");
        }

        tensors.Scatter(network);
        optimizer.RestoreStepCount(found.Checkpoint.OptimizerSteps);
        network.Random.State = found.Checkpoint.NetworkRandom;
        shuffleRandom.State = found.Checkpoint.ShuffleRandom;
        augmentationRandom.State = found.Checkpoint.AugmentationRandom;
        history.AddRange(found.Checkpoint.History);
        ResumedFrom = found.Path;
        return found.Checkpoint;
    }

    /// <summary>
    /// The mean loss and accuracy of <paramref name="network"/> on <paramref name="dataset"/> in
    /// inference mode (<see cref="INetwork.IsTraining"/> = false, so no dropout), in batches of
    /// <see cref="TrainerOptions.BatchSize"/>. An empty dataset gives NaN loss and accuracy.
    /// </summary>
    public EvaluationResult Evaluate<TNetwork>(TNetwork network, Dataset dataset)
        where TNetwork : INetwork
    {
        ArgumentNullException.ThrowIfNull(network);
        CheckCompatible(network, dataset, nameof(dataset));
        int batchSize = Math.Clamp(dataset.Count, 1, Options.BatchSize);
        return EvaluateBatches(network, dataset, new float[CheckedSize.Floats(batchSize, network.OutputLength, "batch size", "OutputLength", nameof(batchSize))]);
    }

    // Batches are runs of consecutive samples, which the dataset already stores as (N, C·H·W): no copy.
    private EvaluationResult EvaluateBatches<TNetwork>(TNetwork network, Dataset dataset, float[] outputs)
        where TNetwork : INetwork
    {
        network.IsTraining = false;
        if (dataset.Count == 0)
        {
            return new EvaluationResult(float.NaN, float.NaN, 0);
        }

        int inputLength = network.InputLength, outputLength = network.OutputLength;
        int batchSize = outputs.Length / outputLength;
        double lossSum = 0;
        int correct = 0;
        for (int start = 0; start < dataset.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, dataset.Count - start);
            ReadOnlySpan<float> images = dataset.Images.Slice(start * inputLength, count * inputLength);
            ReadOnlySpan<int> labels = dataset.Labels.Slice(start, count);
            Span<float> batchOutputs = outputs.AsSpan(0, count * outputLength);
            network.ForwardBatch(images, batchOutputs, count);
            lossSum += (double)Options.Loss.Loss(batchOutputs, labels) * count;
            correct += SoftmaxCrossEntropy.CountCorrect(batchOutputs, labels);
        }

        return new EvaluationResult((float)(lossSum / dataset.Count), (float)correct / dataset.Count, dataset.Count);
    }

    private static void CheckCompatible(INetwork network, Dataset dataset, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(dataset, parameterName);
        if (dataset.SampleLength != network.InputLength)
        {
            throw new ArgumentException(
                $"The network takes {network.InputLength} floats per sample but the samples of {parameterName} are {dataset.Shape} = {dataset.SampleLength} floats.",
                parameterName);
        }

        if (dataset.ClassCount > network.OutputLength)
        {
            throw new ArgumentException(
                $"The labels of {parameterName} go up to {dataset.ClassCount - 1} but the network has only {network.OutputLength} outputs.",
                parameterName);
        }
    }

    private static ulong StreamSeed(int seed, uint stream) => ((ulong)(uint)seed << 32) | stream;

    private static float SamplesPerSecond(int samples, long startTimestamp)
    {
        double seconds = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        return seconds > 0 ? (float)(samples / seconds) : float.PositiveInfinity;
    }
}
