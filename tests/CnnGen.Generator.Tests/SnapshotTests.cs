using System.Runtime.CompilerServices;
using CnnGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
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

    /// <summary>A PyTorch state_dict compiled in (the integration tests' golden file): parameters, running statistics, count.</summary>
    [Fact]
    public void CompiledConvBatchNorm()
    {
        const string source = """
            using CnnGen;

            namespace CnnGen.Tests.Networks;

            [Network(Weights = "conv-batchnorm.safetensors")]
            [Input(2, 5, 5)]
            [Conv2D(3, 3, Padding = 1, Bias = false), BatchNorm2D(Momentum = 0.2), Relu]
            [GlobalAvgPool2D, Flatten, Dense(2)]
            public partial class CompiledConvBatchNorm;
            """;
        AdditionalText golden = WeightsFiles.Save("conv-batchnorm.safetensors", File.ReadAllBytes(GoldenFile("conv-batchnorm.safetensors")));
        GeneratorRun run = GeneratorHarness.Run(source, golden);
        Assert.Empty(run.CompileErrors);
        Snapshot.Verify(run, nameof(CompiledConvBatchNorm));
    }

    private static string GoldenFile(string name, [CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "..", "CnnGen.Integration.Tests", "Golden", name);
}
