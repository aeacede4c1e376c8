using CnnGen.Parity.Tests.Reference;
using T = CnnGen.Parity.Tests.Reference.Layer;

namespace CnnGen.Parity.Tests.Networks;

/// <summary>
/// <see cref="FashionNet"/> with <c>Dropout(0)</c>: the same layers, parameter layout and code path
/// (the dropout layer still draws and applies its mask), but the mask is all ones
/// (<c>u ≥ 0</c> always, scale 1 / (1 − 0) = 1), so training-mode results are deterministic and
/// comparable with PyTorch, whose <c>Dropout(0.5)</c> runs in eval mode (the identity).
/// </summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(32, 5, Padding = 2), Relu, MaxPool2D(2)]
[Conv2D(64, 5, Padding = 2), Relu, MaxPool2D(2)]
[Flatten, Dropout(0)]
[Dense(1000), Dense(10)]
internal sealed partial class FashionNetNoDropout;

/// <summary>The two reference networks of the training issue and their PyTorch twins.</summary>
internal static class ReferenceNetworks
{
    public static T[] LeNet5Torch { get; } =
    [
        new T.Conv2d(1, 6, 5), new T.ReLU(), new T.MaxPool2d(2),
        new T.Conv2d(6, 16, 5), new T.ReLU(), new T.MaxPool2d(2),
        new T.Flatten(),
        new T.Linear(16 * 5 * 5, 120), new T.ReLU(), new T.Linear(120, 84), new T.ReLU(), new T.Linear(84, 10),
    ];

    /// <summary>Used in eval mode only (<see cref="TorchReference.Training"/> = false): dropout is the identity.</summary>
    public static T[] FashionNetTorch { get; } =
    [
        new T.Conv2d(1, 32, 5, Padding: 2), new T.ReLU(), new T.MaxPool2d(2),
        new T.Conv2d(32, 64, 5, Padding: 2), new T.ReLU(), new T.MaxPool2d(2),
        new T.Flatten(), new T.Dropout(0.5),
        new T.Linear(64 * 7 * 7, 1000), new T.Linear(1000, 10),
    ];

    /// <summary>
    /// Per network: the case used for inference-mode checks (the network as declared) and the one
    /// used for training-mode checks (gradients, optimizer steps), which differs only in dropout.
    /// </summary>
    public static IReadOnlyDictionary<string, (ParityCase Inference, ParityCase Training)> ByName { get; } =
        new Dictionary<string, (ParityCase, ParityCase)>
        {
            ["LeNet5"] = (
                new("LeNet5", () => new LeNet5(), [1, 32, 32], LeNet5Torch),
                new("LeNet5", () => new LeNet5(), [1, 32, 32], LeNet5Torch)),
            ["FashionNet"] = (
                new("FashionNet", () => new FashionNet(), [1, 28, 28], FashionNetTorch),
                new("FashionNet (Dropout(0) copy)", () => new FashionNetNoDropout(), [1, 28, 28], FashionNetTorch)),
        };
}
