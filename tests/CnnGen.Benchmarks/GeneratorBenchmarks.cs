using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using CnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CnnGen.Benchmarks;

/// <summary>
/// What the generator costs a build: a full run on LeNet-5 (parse, shapes, plan, emit) from a new
/// driver, and an incremental re-run after an edit elsewhere in the file, as the IDE does on a keystroke.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private const string LeNet5 = """
        using CnnGen;
        namespace Samples;
        [Network]
        [Input(1, 32, 32)]
        [Conv2D(6, 5), Relu, MaxPool2D(2)]
        [Conv2D(16, 5), Relu, MaxPool2D(2)]
        [Flatten]
        [Dense(120), Relu, Dense(84), Relu, Dense(10)]
        public partial class LeNet5;
        """;

    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warmDriver = null!;

    [GlobalSetup]
    public void Setup()
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        var references = trusted.Split(Path.PathSeparator)
            .Append(typeof(NetworkAttribute).Assembly.Location)
            .Append(typeof(CnnGen.Runtime.INetwork).Assembly.Location)
            .Distinct()
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
        SyntaxTree tree = CSharpSyntaxTree.ParseText(LeNet5, path: "LeNet5.cs");
        _compilation = CSharpCompilation.Create("Bench", new[] { tree }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        _edited = _compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(LeNet5 + "\nclass Other { }\n")));
        _warmDriver = CreateDriver().RunGenerators(_compilation);
    }

    [Benchmark(Description = "LeNet-5: full generator run")]
    public GeneratorDriver FullRun() => CreateDriver().RunGenerators(_compilation.Clone());

    [Benchmark(Description = "LeNet-5: incremental re-run after an unrelated edit")]
    public GeneratorDriver IncrementalRun() => _warmDriver.RunGenerators(_edited);

    private static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(new NetworkGenerator());
}
