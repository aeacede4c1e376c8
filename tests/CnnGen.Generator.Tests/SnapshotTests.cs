using CnnGen.Generator.Tests.Infrastructure;
using CnnGen.Generator.Tests.Networks;

namespace CnnGen.Generator.Tests;

public sealed class SnapshotTests
{
    [Fact]
    public void FashionNet() => Snapshot.Verify(GeneratorHarness.RunClean(ReferenceNetworks.Source), nameof(FashionNet), "CnnGen.Tests.Networks.FashionNet.g.cs");

    [Fact]
    public void LeNet5() => Snapshot.Verify(GeneratorHarness.RunClean(ReferenceNetworks.Source), nameof(LeNet5), "CnnGen.Tests.Networks.LeNet5.g.cs");

    /// <summary>The graph network of issue 15: skips, shortcuts, BatchNorm, global pooling.</summary>
    [Fact]
    public void ResNet8() => Snapshot.Verify(GeneratorHarness.RunClean(ReferenceNetworks.Source), nameof(ResNet8), "CnnGen.Tests.Networks.ResNet8.g.cs");
}
