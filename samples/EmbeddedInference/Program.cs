using EmbeddedInference;
using EmbeddedInference.Harness;

// Classifies Fashion-MNIST images with FashionLeNet, whose weights the compiler embedded in this
// executable. `--help` lists the options; README.md shows how to publish it with NativeAOT.
return Classification.Run(args, static () => new CnnGenClassifier());

/// <summary>
/// The generated network, frozen (inference only: its dense weights arranged once for one-image calls): one
/// <c>Forward</c> per image into a reused logits buffer, no allocation.
/// </summary>
internal sealed class CnnGenClassifier : IClassifier, IReportsLogits
{
    private readonly FashionLeNet _network = new();
    private readonly float[] _logits = new float[FashionLeNet.OutputLength];

    public CnnGenClassifier() => _network.Freeze();

    public string Description =>
        $"CnnGen {nameof(FashionLeNet)} ({FashionLeNet.ParameterCount:N0} parameters compiled in; kernels: {CnnGen.Runtime.Kernels.VectorLanes.Description})";

    public ReadOnlySpan<float> Logits => _logits;

    public int Classify(ReadOnlySpan<float> image)
    {
        _network.Forward(image, _logits);
        return Classification.ArgMax(_logits);
    }

    public void Dispose()
    {
    }
}
