using CnnGen.Runtime.Data;

namespace CnnGen.Runtime.Training;

/// <summary>How <see cref="Trainer"/> trains: epochs, batch size, seed, optimizer, schedule, augmentation and loss.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training set. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per mini-batch; the last batch of an epoch may be smaller. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// Seeds the shuffling, the augmentation and <see cref="INetwork.Random"/> (dropout), each from its
    /// own stream, so one seed reproduces a run exactly. It does not reset the parameters: call
    /// <see cref="INetwork.ResetParameters"/> first for a fresh start. Default 0.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>
    /// Builds the optimizer for a parameter count; called once per <see cref="Trainer.Fit"/>, so every
    /// run starts with fresh optimizer state. Default: <c>count =&gt; new Adam(count)</c> (PyTorch's defaults).
    /// </summary>
    public Func<int, IOptimizer> CreateOptimizer { get; init; } = static parameterCount => new Adam(parameterCount);

    /// <summary>The learning rate per epoch, from the optimizer's initial rate; <see langword="null"/> keeps it constant.</summary>
    public ILearningRateSchedule? Schedule { get; init; }

    /// <summary>Random changes to each training batch; <see langword="null"/> trains on the data as is. Never applied to evaluation.</summary>
    public Augmentation? Augmentation { get; init; }

    /// <summary>The loss on the network's outputs and the integer labels. Default <see cref="SoftmaxCrossEntropy"/>.</summary>
    public ILoss<int> Loss { get; init; } = SoftmaxCrossEntropy.Instance;

    /// <summary>
    /// Where <see cref="Trainer.Fit"/> writes checkpoints (created if missing); <see langword="null"/>
    /// writes none. A checkpoint is one safetensors file: the parameters, the optimizer's state (see
    /// <see cref="IOptimizer.StateBuffers"/>) and, as metadata, the step, the epoch and batch, every random
    /// stream (dropout, shuffling, augmentation), the epoch's running loss and the earlier epochs' results,
    /// with a CRC-32. It is written at the end of every epoch and every <see cref="CheckpointInterval"/>
    /// batches, atomically: to a temporary file flushed to the disk, then renamed, keeping the one before
    /// as <c>checkpoint.previous.safetensors</c>.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Optimizer steps between checkpoints within an epoch; 0 (the default) writes them at epoch ends only.</summary>
    public int CheckpointInterval { get; init; }

    /// <summary>
    /// Continue from the newest sound checkpoint in <see cref="CheckpointDirectory"/>, if there is one
    /// (a damaged newest file is passed over for the previous one); without one, start from the network's
    /// current parameters. On one thread the result is the same, bit for bit, as a run never interrupted.
    /// The checkpoint must come from the same network, optimizer type, seed, batch size and training-set
    /// size; <see cref="Epochs"/> may differ.
    /// </summary>
    public bool Resume { get; init; }
}
