using CnnGen.Runtime.Training;

namespace FashionMnist;

/// <summary>What the training curve plots: the loss of every mini-batch and the result of every epoch.</summary>
/// <param name="trainCount">Samples in the training set.</param>
/// <param name="batchSize">The trainer's batch size (the last batch of an epoch may be smaller).</param>
internal sealed class TrainingHistory(int trainCount, int batchSize)
{
    private readonly List<(double Epoch, double Loss)> _batchLosses = [];
    private readonly List<EpochResult> _epochs = [];
    private double _lossSumSoFar;
    private int _samplesSoFar;

    /// <summary>The mean loss of each mini-batch, at its position in epochs (1.0 = the end of the first).</summary>
    public IReadOnlyList<(double Epoch, double Loss)> BatchLosses => _batchLosses;

    /// <summary>One result per finished epoch.</summary>
    public IReadOnlyList<EpochResult> Epochs => _epochs;

    /// <summary>
    /// Records one batch. <see cref="TrainingProgress.RunningLoss"/> is the mean over the epoch so far,
    /// so the batch's own loss is the growth of the running sum divided by the batch's size.
    /// </summary>
    public void Add(TrainingProgress progress)
    {
        if (progress.Batch == 0)
        {
            _lossSumSoFar = 0;
            _samplesSoFar = 0;
        }

        int samples = Math.Min((progress.Batch + 1) * Math.Min(batchSize, trainCount), trainCount);
        double lossSum = (double)progress.RunningLoss * samples;
        double batchLoss = (lossSum - _lossSumSoFar) / (samples - _samplesSoFar);
        _batchLosses.Add((progress.Epoch + (progress.Batch + 1.0) / progress.BatchesPerEpoch, batchLoss));
        _lossSumSoFar = lossSum;
        _samplesSoFar = samples;
    }

    /// <summary>Records a finished epoch.</summary>
    public void Add(EpochResult result) => _epochs.Add(result);

    /// <summary>Puts first the epochs of <paramref name="results"/> that were trained before a resume (and so never reported).</summary>
    public void AddEarlierEpochs(IReadOnlyList<EpochResult> results) =>
        _epochs.InsertRange(0, results.Take(results.Count - _epochs.Count));
}
