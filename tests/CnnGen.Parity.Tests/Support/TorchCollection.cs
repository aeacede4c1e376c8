namespace CnnGen.Parity.Tests;

/// <summary>
/// Every test class that touches libtorch joins this collection, so xunit runs them one after
/// another: <c>torch.manual_seed</c> and the default parameter initialization share one global
/// generator, and interleaving them across threads would make the initial weights depend on timing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "libtorch";
}
