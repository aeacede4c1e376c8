using CnnGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using static CnnGen.Generator.Tests.Infrastructure.DiagnosticAssert;

namespace CnnGen.Generator.Tests;

/// <summary><c>[Network(Weights = ...)]</c>: checked against the declared shapes at build time.</summary>
public sealed class CompiledWeightsTests
{
    private const string EdgeNetwork = "[Input(1, 6, 6)] [Conv2D(2, 3, Name = \"edges\")]";

    private static readonly float[] Filters = Enumerable.Range(0, 18).Select(i => (i % 3) - 1f).ToArray();

    [Fact]
    public void MatchingFile_IsCompiledInAsReadOnlyData()
    {
        AdditionalText file = WeightsFiles.Save("edge.safetensors", WeightsFiles.Build(
            new TensorToWrite("edges.weight", [2, 1, 3, 3], Filters),
            new TensorToWrite("edges.bias", [2], [0.5f, -0.25f])));

        GeneratorRun run = GeneratorHarness.Run(Source(EdgeNetwork), file);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileErrors);
        string generated = run.GeneratedSource;
        Assert.Contains("private static global::System.ReadOnlySpan<float> CompiledParameters => new float[]", generated);
        Assert.Contains("-1f, 0f, 1f, -1f, 0f, 1f, -1f, 0f,", generated);
        Assert.Contains("0.5f, -0.25f,", generated);
        Assert.Contains("private float[]? _parameters;", generated);
    }

    [Fact]
    public void HalfPrecisionTensors_AreConverted()
    {
        AdditionalText file = WeightsFiles.Save("edge.safetensors", WeightsFiles.Build(
            new TensorToWrite("edges.weight", [2, 1, 3, 3], Filters, "F16"),
            new TensorToWrite("edges.bias", [2], [0.5f, -0.25f], "BF16")));

        GeneratorRun run = GeneratorHarness.Run(Source(EdgeNetwork), file);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("0.5f, -0.25f,", run.GeneratedSource);
    }

    [Fact]
    public void WrongShape_IsACompileError_AtTheWeightsArgument()
    {
        AdditionalText file = WeightsFiles.Save("edge.safetensors", WeightsFiles.Build(
            new TensorToWrite("edges.weight", [2, 1, 2, 2], new float[8]),
            new TensorToWrite("edges.bias", [3], new float[3])));

        GeneratorRun run = ReportsWith(
            file,
            Error("CNN0019", "Weights = \"edge.safetensors\"", "Net: tensor edges.weight in \"edge.safetensors\" has shape (2, 1, 2, 2) but the network expects (2, 1, 3, 3)"),
            Error("CNN0019", "Weights = \"edge.safetensors\"", "Net: tensor edges.bias in \"edge.safetensors\" has shape (3) but the network expects (2)"));
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void MissingAndExtraTensors_AreReported()
    {
        AdditionalText file = WeightsFiles.Save("edge.safetensors", WeightsFiles.Build(
            new TensorToWrite("edges.weight", [2, 1, 3, 3], Filters),
            new TensorToWrite("0.bias", [2], new float[2])));

        ReportsWith(
            file,
            Error("CNN0018", "Weights = \"edge.safetensors\"", "Net: the weights file \"edge.safetensors\" has no tensor edges.bias; the network needs it with shape (2)"),
            Warning("CNN0020", "Weights = \"edge.safetensors\"", "Net: tensor 0.bias (2) in \"edge.safetensors\" matches no parameter of the network and is ignored; check the layer names"));
    }

    [Fact]
    public void FileNotGivenToTheCompiler_IsReported()
    {
        ReportsWith(
            null,
            Error("CNN0016", "Weights = \"edge.safetensors\"", "Net: the weights file \"edge.safetensors\" is not among the compiler's additional files; add <AdditionalFiles Include=\"edge.safetensors\" /> to the project"));
    }

    [Theory]
    [InlineData("truncated", "the header length 4096 does not fit the file's 20 bytes")]
    [InlineData("dtype", "tensor edges.bias has dtype I64; CnnGen reads F32, F16 and BF16")]
    [InlineData("nan", "tensor edges.bias holds NaN at index 1; weights must be finite")]
    public void UnusableFile_IsReportedWithTheReason(string problem, string reason)
    {
        byte[] bytes = problem switch
        {
            "truncated" => BitConverter.GetBytes(4096L).Concat(new byte[12]).ToArray(),
            "dtype" => WeightsFiles.Build(new TensorToWrite("edges.weight", [2, 1, 3, 3], Filters), new TensorToWrite("edges.bias", [1], [0f, 0f], "I64")),
            _ => WeightsFiles.Build(new TensorToWrite("edges.weight", [2, 1, 3, 3], Filters), new TensorToWrite("edges.bias", [2], [0f, float.NaN])),
        };

        ReportsWith(
            WeightsFiles.Save("edge.safetensors", bytes),
            Error("CNN0017", "Weights = \"edge.safetensors\"", $"Net: the weights file \"edge.safetensors\" cannot be used: {reason}"));
    }

    private static string Source(string layers) =>
        Declare(layers).Replace("[Network]", "[Network(Weights = \"edge.safetensors\")]");

    private static GeneratorRun ReportsWith(AdditionalText? file, params ExpectedDiagnostic[] expected) =>
        ReportsIn(Source(EdgeNetwork), file is null ? [] : [file], expected);
}
