using CnnGen.Generator.Tests.Infrastructure;
using CnnGen.Generator.Tests.Networks;

namespace CnnGen.Generator.Tests;

public sealed class SnapshotTests
{
    [Fact]
    public void FashionNet() => Snapshot.Verify(GeneratorHarness.RunClean(ReferenceNetworks.FashionNet), nameof(FashionNet));

    [Fact]
    public void LeNet5() => Snapshot.Verify(GeneratorHarness.RunClean(ReferenceNetworks.LeNet5), nameof(LeNet5));
}
