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
    [InlineData("dtype", "tensor edges.bias has dtype I64; CnnGen reads F32, F16 and BF16, and I64 only for num_batches_tracked")]
    [InlineData("nan", "tensor edges.bias holds NaN at index 1; weights must be finite")]
    public void UnusableFile_IsReportedWithTheReason(string problem, string reason)
    {
        byte[] bytes = problem switch
        {
            "truncated" => BitConverter.GetBytes(4096L).Concat(new byte[12]).ToArray(),
            "dtype" => WeightsFiles.Build(new TensorToWrite("edges.weight", [2, 1, 3, 3], Filters), new TensorToWrite("edges.bias", [2], [0f, 0f], "I64")),
            _ => WeightsFiles.Build(new TensorToWrite("edges.weight", [2, 1, 3, 3], Filters), new TensorToWrite("edges.bias", [2], [0f, float.NaN])),
        };

        ReportsWith(
            WeightsFiles.Save("edge.safetensors", bytes),
            Error("CNN0017", "Weights = \"edge.safetensors\"", $"Net: the weights file \"edge.safetensors\" cannot be used: {reason}"));
    }

    [Fact]
    public void A_BatchNorm_state_dict_compiles_in_the_running_statistics_and_the_count()
    {
        GeneratorRun run = GeneratorHarness.Run(Source(BatchNormNetwork), BatchNormFile());

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileErrors);
        string generated = run.GeneratedSource;
        Assert.Contains("private float[] _state = CompiledState.ToArray();", generated);
        Assert.Contains("private long[] _batchesTracked = new long[] { 7L };", generated);
        Assert.Contains("private static global::System.ReadOnlySpan<float> CompiledState => new float[]", generated);
        Assert.Contains("0.25f, -0.5f, 1.5f, 0.75f,", generated); // running_mean, then running_var
        Assert.Contains("private static float[] CreateState()", generated); // what ResetState and ResetParameters return to
    }

    [Fact]
    public void A_missing_running_statistic_is_an_error_as_in_a_strict_PyTorch_load()
    {
        ReportsIn(
            Source(BatchNormNetwork),
            [BatchNormFile(without: "bn.running_var")],
            Error("CNN0018", "Weights = \"edge.safetensors\"", "Net: the weights file \"edge.safetensors\" has no tensor bn.running_var; the network needs it with shape (2)"));
    }

    [Fact]
    public void A_missing_num_batches_tracked_starts_at_zero_as_PyTorch_loads_old_checkpoints()
    {
        GeneratorRun run = GeneratorHarness.Run(Source(BatchNormNetwork), BatchNormFile(without: "bn.num_batches_tracked"));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("private long[] _batchesTracked = new long[] { 0L };", run.GeneratedSource);
    }

    [Theory]
    [InlineData("F32", new int[0], "() F32")]
    [InlineData("I64", new[] { 1 }, "(1) I64")]
    public void A_num_batches_tracked_that_is_not_an_I64_scalar_is_an_error(string dataType, int[] shape, string actual)
    {
        ReportsIn(
            Source(BatchNormNetwork),
            [BatchNormFile(counter: new TensorToWrite("bn.num_batches_tracked", shape, [7f], dataType))],
            Error("CNN0019", "Weights = \"edge.safetensors\"", $"Net: tensor bn.num_batches_tracked in \"edge.safetensors\" has shape {actual} but the network expects () I64"));
    }

    [Fact]
    public void A_CnnGen_weight_file_is_not_compiled_in_and_the_message_says_how_to_convert_it()
    {
        AdditionalText file = WeightsFiles.Save("edge.cnnw", [.. "CNNGENW1"u8, 2, 0, 0, 0]);

        ReportsIn(
            Declare(EdgeNetwork).Replace("[Network]", "[Network(Weights = \"edge.cnnw\")]"),
            [file],
            Error("CNN0017", "Weights = \"edge.cnnw\"", "Net: the weights file \"edge.cnnw\" cannot be used: only safetensors files (.safetensors) are compiled in; write one with SafeTensors.Save (after WeightFile.Load for a .cnnw file)"));
    }

    private const string BatchNormNetwork = "[Input(1, 6, 6)] [Conv2D(2, 3, Bias = false, Name = \"conv\"), BatchNorm2D(Name = \"bn\")]";

    // A PyTorch state_dict of BatchNormNetwork: parameters, running statistics and num_batches_tracked.
    private static AdditionalText BatchNormFile(string? without = null, TensorToWrite? counter = null) =>
        WeightsFiles.Save("edge.safetensors", WeightsFiles.Build([.. new[]
        {
            new TensorToWrite("conv.weight", [2, 1, 3, 3], Filters),
            new TensorToWrite("bn.weight", [2], [1f, 2f]),
            new TensorToWrite("bn.bias", [2], [0f, 0.5f]),
            new TensorToWrite("bn.running_mean", [2], [0.25f, -0.5f]),
            new TensorToWrite("bn.running_var", [2], [1.5f, 0.75f]),
            counter ?? new TensorToWrite("bn.num_batches_tracked", [], [7f], "I64"),
        }.Where(tensor => tensor.Name != without)]));

    private static string Source(string layers) =>
        Declare(layers).Replace("[Network]", "[Network(Weights = \"edge.safetensors\")]");

    private static GeneratorRun ReportsWith(AdditionalText? file, params ExpectedDiagnostic[] expected) =>
        ReportsIn(Source(EdgeNetwork), file is null ? [] : [file], expected);
}
