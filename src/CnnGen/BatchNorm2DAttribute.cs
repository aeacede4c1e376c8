using System;

namespace CnnGen;

/// <summary>
/// Batch normalization over the channels of an image (PyTorch <c>nn.BatchNorm2d</c>): while training, each
/// channel is normalized by the batch's mean and (biased) variance and the running statistics are updated
/// (unbiased variance, <see cref="Momentum"/>); at inference the running statistics are used. Trainable
/// <c>weight</c> (γ, starts at 1) and <c>bias</c> (β, starts at 0); <c>running_mean</c>, <c>running_var</c> and
/// <c>num_batches_tracked</c> are the network's state, not parameters. <c>Freeze()</c> folds it into the
/// convolution or dense layer right before it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNorm2DAttribute : LayerAttribute
{
    /// <summary>Added to the variance before its square root (default 1e-5).</summary>
    public double Eps { get; set; } = 1e-5;

    /// <summary>The weight of a batch's statistics in the running ones (default 0.1).</summary>
    public double Momentum { get; set; } = 0.1;
}
