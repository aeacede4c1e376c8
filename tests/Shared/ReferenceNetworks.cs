// The reference architectures, declared once and compiled into every test project that needs them
// (linked by the projects; the generator tests read this file as source text).
using CnnGen;

namespace CnnGen.Tests.Networks;

/// <summary>LeNet-5 (LeCun et al. 1998) with ReLU and max pooling, as most modern reproductions.</summary>
[Network]
[Input(1, 32, 32)]
[Conv2D(6, 5), Relu, MaxPool2D(2)]
[Conv2D(16, 5), Relu, MaxPool2D(2)]
[Flatten]
[Dense(120), Relu, Dense(84), Relu, Dense(10)]
internal sealed partial class LeNet5;

/// <summary>The seed's 2-conv Fashion-MNIST network, exactly as the README declares it.</summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(32, 5, Padding = 2), Relu, MaxPool2D(2)]
[Conv2D(64, 5, Padding = 2), Relu, MaxPool2D(2)]
[Flatten, Dropout(0.5)]
[Dense(1000), Dense(10)]
internal sealed partial class FashionNet;
