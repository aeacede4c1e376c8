using CnnGen;

namespace EmbeddedInference;

/// <summary>
/// LeNet-5 for 28×28 Fashion-MNIST images (61,706 parameters, 247 KB as float32): two 5×5 convolutions
/// (6 and 16 filters, the first padded to keep 28×28) with ReLU and 2×2 max pooling, then 120, 84 and
/// 10 units.
/// </summary>
/// <remarks>
/// The weights are compiled in: the generator reads <c>fashion-lenet.safetensors</c> (an
/// <c>AdditionalFiles</c> item) at build time, checks every tensor's name and shape against these
/// attributes, and embeds the data in the assembly, so the executable needs no file and no copy at
/// start-up. <c>EmbeddedInference.Trainer</c> compiles this same file with <c>TRAINER</c> defined: a
/// fresh network without weights, which it trains and saves as <c>fashion-lenet.safetensors</c>.
/// </remarks>
#if TRAINER
[Network]
#else
[Network(Weights = "fashion-lenet.safetensors")]
#endif
[Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), Relu, MaxPool2D(2)]
[Conv2D(16, 5), Relu, MaxPool2D(2)]
[Flatten]
[Dense(120), Relu, Dense(84), Relu, Dense(10)]
public partial class FashionLeNet;
