using System.Diagnostics;
using CnnGen.Parity.Tests.Native;
using CnnGen.Runtime;
using CnnGen.Runtime.Data;
using CnnGen.Runtime.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSample;

/// <summary>
/// Trains <see cref="TorchResNet"/> with libtorch exactly as <see cref="Trainer"/> trains <see cref="ResNet8"/> or <see cref="ResNet20"/>:
/// the same initial weights (copied from the CnnGen network), the same shuffled order and augmentation
/// (the trainer's random streams, re-derived from the seed), <c>torch.optim.SGD</c> with the same settings,
/// the same learning rate before every step, and an evaluation of the test set in <c>eval()</c> mode after
/// each epoch, both inside the epoch's time as in <see cref="Trainer"/>.
/// </summary>
internal static class TorchTraining
{
    // Trainer's stream numbers: ((ulong)(uint)seed << 32) | stream, shuffling = 2, augmentation = 3.
    private const uint ShuffleStream = 2, AugmentationStream = 3;

    public static IReadOnlyList<EpochResult> Fit(
        INetwork initial,
        int depth,
        TrainerOptions options,
        int threads,
        Dataset train,
        Dataset test,
        IProgress<TrainingProgress> batchProgress,
        IProgress<EpochResult> epochProgress,
        CancellationToken cancellationToken)
    {
        LibTorchBootstrap.EnsureInitialized();
        torch.set_num_threads(threads);
        using var model = new TorchResNet(depth);
        model.CopyParametersFrom(initial);

        // The optimizer the CnnGen run uses, read back from the options so the two cannot drift apart.
        var sgd = (Sgd)options.CreateOptimizer(initial.ParameterCount);
        using var optimizer = optim.SGD(model.parameters(), sgd.LearningRate, sgd.Momentum, sgd.Dampening, sgd.WeightDecay, sgd.Nesterov);
        float baseRate = sgd.LearningRate;

        var shuffleRandom = new RandomSource(((ulong)(uint)options.Seed << 32) | ShuffleStream);
        var augmentationRandom = new RandomSource(((ulong)(uint)options.Seed << 32) | AugmentationStream);
        int batchSize = Math.Min(options.BatchSize, train.Count);
        int inputLength = train.SampleLength;
        long[] imageShape = [train.Shape.Channels, train.Shape.Height, train.Shape.Width];
        var order = new int[train.Count];
        var images = new float[batchSize * inputLength];
        var augmented = new float[images.Length];
        var labels = new int[batchSize];
        var targets = new long[batchSize];
        int batchesPerEpoch = (train.Count + batchSize - 1) / batchSize;
        var history = new List<EpochResult>(options.Epochs);
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            long epochStart = Stopwatch.GetTimestamp();
            float epochRate = options.Schedule?.LearningRate(epoch, 0, batchesPerEpoch, baseRate) ?? baseRate;
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            shuffleRandom.Shuffle(order);
            model.train();
            double lossSum = 0;
            long correct = 0;
            int seen = 0;
            for (int batch = 0; batch < batchesPerEpoch; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = batch * batchSize, count = Math.Min(batchSize, train.Count - start);
                float rate = options.Schedule?.LearningRate(epoch, batch, batchesPerEpoch, baseRate) ?? baseRate;
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = rate;
                }

                Span<float> batchImages = images.AsSpan(0, count * inputLength);
                train.CopyBatch(order.AsSpan(start, count), batchImages, labels.AsSpan(0, count));
                float[] source = images;
                if (options.Augmentation is { } augmentation)
                {
                    augmentation.Apply(batchImages, augmented.AsSpan(0, batchImages.Length), train.Shape, augmentationRandom);
                    source = augmented;
                }

                for (int i = 0; i < count; i++)
                {
                    targets[i] = labels[i];
                }

                using var scope = NewDisposeScope();
                Tensor x = torch.tensor(source.AsSpan(0, count * inputLength).ToArray(), [count, .. imageShape]);
                Tensor y = torch.tensor(targets.AsSpan(0, count).ToArray());
                Tensor logits = model.call(x);
                Tensor loss = nn.functional.cross_entropy(logits, y);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>() * (double)count;
                correct += logits.argmax(1).eq(y).sum().item<long>();
                seen += count;
                double seconds = Stopwatch.GetElapsedTime(epochStart).TotalSeconds;
                batchProgress.Report(new TrainingProgress(epoch, options.Epochs, batch, batchesPerEpoch, (float)(lossSum / seen), (float)(seen / seconds)));
            }

            (float testLoss, float testAccuracy) = Evaluate(model, test, batchSize, imageShape);
            var result = new EpochResult(
                epoch, epochRate, (float)(lossSum / seen), (float)correct / seen, testLoss, testAccuracy, Stopwatch.GetElapsedTime(epochStart));
            history.Add(result);
            epochProgress.Report(result);
        }

        model.eval();
        return history;
    }

    private static (float Loss, float Accuracy) Evaluate(TorchResNet model, Dataset test, int batchSize, long[] imageShape)
    {
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < test.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, test.Count - start);
            using var scope = NewDisposeScope();
            Tensor x = torch.tensor(test.Images.Slice(start * test.SampleLength, count * test.SampleLength).ToArray(), [count, .. imageShape]);
            Tensor y = torch.tensor(test.Labels.Slice(start, count).ToArray().Select(label => (long)label).ToArray());
            Tensor logits = model.call(x);
            lossSum += nn.functional.cross_entropy(logits, y).item<float>() * (double)count;
            correct += logits.argmax(1).eq(y).sum().item<long>();
        }

        return ((float)(lossSum / test.Count), (float)correct / test.Count);
    }
}

/// <summary>
/// <see cref="ResNet8"/> (one basic block per stage) or <see cref="ResNet20"/> (three) as a PyTorch module:
/// the same layers in the same order — a stage's shortcut convolution and BatchNorm before its first block's
/// layers, as the CnnGen declarations have them — so that <c>parameters()</c> lists the tensors in the order
/// and shapes of CnnGen's <c>Parameters</c>.
/// </summary>
internal sealed class TorchResNet : nn.Module<Tensor, Tensor>
{
    private static readonly int[] StageChannels = [16, 32, 64];

    // Every convolution and BatchNorm in CnnGen's declaration order; forward walks it front to back.
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;
    private readonly Linear dense = nn.Linear(64, 10);
    private readonly int blocksPerStage;

    /// <param name="depth">8 or 20: 6 layers per block and stage plus the stem and the dense layer.</param>
    public TorchResNet(int depth)
        : base($"TorchResNet{depth}")
    {
        blocksPerStage = (depth - 2) / 6;
        var modules = new List<nn.Module<Tensor, Tensor>> { nn.Conv2d(1, 16, 3, padding: 1, bias: false), nn.BatchNorm2d(16) };
        int inputChannels = 16;
        foreach (int channels in StageChannels)
        {
            for (int block = 0; block < blocksPerStage; block++)
            {
                int stride = inputChannels == channels ? 1 : 2;
                if (stride == 2)
                {
                    modules.Add(nn.Conv2d(inputChannels, channels, 1, stride: 2, bias: false));
                    modules.Add(nn.BatchNorm2d(channels));
                }

                modules.Add(nn.Conv2d(inputChannels, channels, 3, stride: stride, padding: 1, bias: false));
                modules.Add(nn.BatchNorm2d(channels));
                modules.Add(nn.Conv2d(channels, channels, 3, padding: 1, bias: false));
                modules.Add(nn.BatchNorm2d(channels));
                inputChannels = channels;
            }
        }

        layers = nn.ModuleList(modules.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        int next = 0;
        Tensor ConvolutionAndNorm(Tensor x)
        {
            Tensor convolved = layers[next++].call(x);
            return layers[next++].call(convolved);
        }

        Tensor current = ConvolutionAndNorm(input).relu_();
        int inputChannels = 16;
        foreach (int channels in StageChannels)
        {
            for (int block = 0; block < blocksPerStage; block++)
            {
                Tensor shortcut = inputChannels == channels ? current : ConvolutionAndNorm(current);
                Tensor branch = ConvolutionAndNorm(ConvolutionAndNorm(current).relu_());
                current = branch.add_(shortcut).relu_();
                inputChannels = channels;
            }
        }

        return dense.call(nn.functional.adaptive_avg_pool2d(current, 1).flatten(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Copies <paramref name="network"/>'s parameters, tensor by tensor, checking every shape.</summary>
    public void CopyParametersFrom(INetwork network)
    {
        Parameter[] parameters = [.. this.parameters()];
        IReadOnlyList<ParameterTensor> tensors = network.ParameterTensors;
        if (parameters.Length != tensors.Count)
        {
            throw new InvalidOperationException($"The torch model has {parameters.Length} parameter tensors, the CnnGen network {tensors.Count}.");
        }

        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Length; i++)
        {
            long[] shape = parameters[i].shape;
            if (!shape.SequenceEqual(tensors[i].Shape.Select(length => (long)length)))
            {
                throw new InvalidOperationException(
                    $"Parameter {i}: torch [{string.Join(", ", shape)}], CnnGen {tensors[i].Name} [{string.Join(", ", tensors[i].Shape)}].");
            }

            using Tensor values = torch.tensor(network.Parameters.Slice(tensors[i].Offset, tensors[i].Length).ToArray(), shape);
            parameters[i].copy_(values);
        }
    }
}
