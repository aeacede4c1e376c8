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
/// Trains <see cref="TorchResNet8"/> with libtorch exactly as <see cref="Trainer"/> trains <see cref="ResNet8"/>:
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
        ResNet8 initial,
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
        using var model = new TorchResNet8();
        model.CopyParametersFrom(initial);

        // The optimizer the CnnGen run uses, read back from the options so the two cannot drift apart.
        var sgd = (Sgd)options.CreateOptimizer(ResNet8.ParameterCount);
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

    private static (float Loss, float Accuracy) Evaluate(TorchResNet8 model, Dataset test, int batchSize, long[] imageShape)
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
/// <see cref="ResNet8"/> as a PyTorch module: the same layers in the same order, so that <c>parameters()</c>
/// lists the tensors in the order and shapes of CnnGen's <c>Parameters</c>.
/// </summary>
internal sealed class TorchResNet8 : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(1, 16, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn1 = nn.BatchNorm2d(16);
    private readonly Conv2d conv2 = nn.Conv2d(16, 16, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn2 = nn.BatchNorm2d(16);
    private readonly Conv2d conv3 = nn.Conv2d(16, 16, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn3 = nn.BatchNorm2d(16);
    private readonly Conv2d shortcut2Conv = nn.Conv2d(16, 32, 1, stride: 2, bias: false);
    private readonly BatchNorm2d shortcut2 = nn.BatchNorm2d(32);
    private readonly Conv2d conv5 = nn.Conv2d(16, 32, 3, stride: 2, padding: 1, bias: false);
    private readonly BatchNorm2d bn5 = nn.BatchNorm2d(32);
    private readonly Conv2d conv6 = nn.Conv2d(32, 32, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn6 = nn.BatchNorm2d(32);
    private readonly Conv2d shortcut3Conv = nn.Conv2d(32, 64, 1, stride: 2, bias: false);
    private readonly BatchNorm2d shortcut3 = nn.BatchNorm2d(64);
    private readonly Conv2d conv8 = nn.Conv2d(32, 64, 3, stride: 2, padding: 1, bias: false);
    private readonly BatchNorm2d bn8 = nn.BatchNorm2d(64);
    private readonly Conv2d conv9 = nn.Conv2d(64, 64, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn9 = nn.BatchNorm2d(64);
    private readonly Linear dense = nn.Linear(64, 10);

    public TorchResNet8()
        : base(nameof(TorchResNet8)) => RegisterComponents();

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor stem = bn1.call(conv1.call(input)).relu_();
        Tensor block1 = bn3.call(conv3.call(bn2.call(conv2.call(stem)).relu_())).add_(stem).relu_();
        Tensor block2 = bn6.call(conv6.call(bn5.call(conv5.call(block1)).relu_())).add_(shortcut2.call(shortcut2Conv.call(block1))).relu_();
        Tensor block3 = bn9.call(conv9.call(bn8.call(conv8.call(block2)).relu_())).add_(shortcut3.call(shortcut3Conv.call(block2))).relu_();
        return dense.call(nn.functional.adaptive_avg_pool2d(block3, 1).flatten(1)).MoveToOuterDisposeScope();
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
