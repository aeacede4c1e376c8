using System.Collections.Immutable;
using System.Reflection;
using CnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CnnGen.Generator.Tests.Infrastructure;

/// <summary>The outcome of running the generator once on a source text.</summary>
internal sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriver Driver,
    GeneratorRunResult Result,
    ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public string GeneratedSource => string.Join("\n", Result.GeneratedSources.Select(source => source.SourceText.ToString()));

    /// <summary>Compiler errors in the output compilation (user code + generated code).</summary>
    public IReadOnlyList<Diagnostic> CompileErrors =>
        Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
}

/// <summary>Runs <see cref="NetworkGenerator"/> the way the compiler does, with step tracking on.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    public static CSharpCompilation Compile(string source, string path = "Network.cs") =>
        CSharpCompilation.Create(
            "Tests",
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path) },
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(params AdditionalText[] additionalFiles) =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            additionalTexts: additionalFiles,
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator and asserts it did not throw (a throw would be CS8785 for users).</summary>
    public static GeneratorRun Run(string source, params AdditionalText[] additionalFiles) =>
        Run(CreateDriver(additionalFiles), Compile(source));

    public static GeneratorRun Run(GeneratorDriver driver, CSharpCompilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return new GeneratorRun(compilation, output, driver, result, diagnostics);
    }

    /// <summary>Runs and asserts the network generated and compiles without any diagnostic.</summary>
    public static GeneratorRun RunClean(string source)
    {
        GeneratorRun run = Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileErrors);
        Assert.NotEmpty(run.Result.GeneratedSources);
        return run;
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        var paths = trusted.Split(Path.PathSeparator).ToList();
        paths.Add(typeof(NetworkAttribute).Assembly.Location);
        paths.Add(typeof(CnnGen.Runtime.INetwork).Assembly.Location);
        paths.Add(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location);
        return paths.Distinct().Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToImmutableArray();
    }
}
