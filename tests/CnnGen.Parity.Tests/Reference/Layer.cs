namespace CnnGen.Parity.Tests.Reference;

/// <summary>
/// A framework-neutral description of one layer of a sequential network, translated by
/// <see cref="TorchReference"/> into the equivalent <c>torch.nn</c> module. Parameters and
/// defaults follow PyTorch's own (e.g. <c>MaxPool2d</c>'s stride defaults to its kernel size).
/// </summary>
public abstract record Layer
{
    /// <summary>
    /// <c>nn.Conv2d(in, out, (kernel, kernelWidth ?? kernel), (stride, strideWidth ?? stride), padding, dilation, bias)</c>
    /// with zero padding: <paramref name="Padding"/> on every side, or PyTorch's <c>padding="same"</c> when
    /// <paramref name="Same"/> is set (stride 1; an odd total padding puts the extra row/column after).
    /// <paramref name="Kernel"/> and <paramref name="Stride"/> are the height (and, by default, the width) values.
    /// Parameters: weight [out, in, kernel, kernelWidth], then bias [out].
    /// </summary>
    public sealed record Conv2d(
        int InChannels,
        int OutChannels,
        int Kernel,
        int Stride = 1,
        int Padding = 0,
        int Dilation = 1,
        bool Bias = true,
        int? KernelWidth = null,
        int? StrideWidth = null,
        bool Same = false) : Layer;

    /// <summary><c>nn.MaxPool2d(kernel, stride ?? kernel, padding)</c>.</summary>
    public sealed record MaxPool2d(int Kernel, int? Stride = null, int Padding = 0) : Layer;

    /// <summary><c>nn.AvgPool2d(kernel, stride ?? kernel, padding, count_include_pad)</c>.</summary>
    public sealed record AvgPool2d(int Kernel, int? Stride = null, int Padding = 0, bool CountIncludePad = true) : Layer;

    /// <summary><c>nn.Flatten()</c> (start_dim = 1): NCHW → N × (C·H·W), channel-major.</summary>
    public sealed record Flatten : Layer;

    /// <summary><c>nn.Linear(in, out, bias)</c>. Parameters: weight [out, in], then bias [out].</summary>
    public sealed record Linear(int InFeatures, int OutFeatures, bool Bias = true) : Layer;

    /// <summary><c>nn.ReLU()</c>.</summary>
    public sealed record ReLU : Layer;

    /// <summary><c>nn.Sigmoid()</c>.</summary>
    public sealed record Sigmoid : Layer;

    /// <summary><c>nn.Tanh()</c>.</summary>
    public sealed record Tanh : Layer;

    /// <summary><c>nn.Softmax(dim = 1)</c>.</summary>
    public sealed record Softmax : Layer;

    /// <summary><c>nn.Dropout(p)</c>. Identity unless <see cref="TorchReference.Training"/> is set.</summary>
    public sealed record Dropout(double P = 0.5) : Layer;
}
