using CnnGen;

namespace FashionMnist;

/// <summary>
/// The classic two-convolution network for 28×28 grey images: 32 and 64 filters of 5×5 ("same"
/// padding), each followed by ReLU and 2×2 max pooling, then a 1000-unit hidden layer and 10 logits.
/// CnnGen generates the rest of this class: <c>Summary</c>, <c>Parameters</c>, <c>Forward</c> and the
/// batched training members of <see cref="CnnGen.Runtime.INetwork"/>.
/// </summary>
/// <remarks>
/// As declared, no activation separates <c>dense1</c> from <c>dense2</c>, so together they are one
/// linear map of rank at most 10; the declaration is kept as the project's reference network.
/// </remarks>
[Network]
[Input(1, 28, 28)]
[Conv2D(32, 5, Padding = 2), Relu, MaxPool2D(2)]
[Conv2D(64, 5, Padding = 2), Relu, MaxPool2D(2)]
[Flatten, Dropout(0.5)]
[Dense(1000), Dense(10)]
public partial class FashionNet;
