using System.Collections;
using System.Reflection;
using CnnGen.Generator.Tests.Infrastructure;
using CnnGen.Generator.Tests.Networks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CnnGen.Generator.Tests;

public sealed class IncrementalCachingTests
{
    private static readonly string[] AllSteps = { TrackingNames.Parse, TrackingNames.Analyze, TrackingNames.Diagnostics, TrackingNames.Plan };

    [Fact]
    public void SecondRunOnClonedCompilation_CachesEveryStep()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(ReferenceNetworks.Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        GeneratorRunResult second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();

        Assert.Null(second.Exception);
        foreach (string step in AllSteps)
        {
            IncrementalGeneratorRunStep[] runs = second.TrackedSteps[step].ToArray();
            Assert.NotEmpty(runs);
            Assert.All(
                runs.SelectMany(run => run.Outputs),
                output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {output.Reason}"));
        }
    }

    [Fact]
    public void Models_HoldNoSymbolsCompilationsOrSyntax()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(ReferenceNetworks.Source);
        GeneratorRunResult result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        foreach (string step in AllSteps)
        {
            foreach ((object value, _) in result.TrackedSteps[step].SelectMany(run => run.Outputs))
            {
                AssertNoRoslynObjects(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    [Fact]
    public void UnrelatedEdit_LeavesTheSourceStepUnchanged()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(ReferenceNetworks.Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        CSharpCompilation edited = Edit(compilation, text => text + "\nnamespace Other { public class Unrelated { public int Value => 42; } }\n");
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.All(
            second.TrackedSteps[TrackingNames.Plan].SelectMany(run => run.Outputs),
            output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, output.Reason.ToString()));
    }

    [Fact]
    public void EditAboveTheClass_MovesOnlyDiagnostics_NotTheSource()
    {
        string source = DiagnosticAssert.Declare("[Input(1, 28, 28)] [Conv2D(4, 3), MaxPool2D(4)]"); // CNN0002 warning, still generates
        CSharpCompilation compilation = GeneratorHarness.Compile(source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        CSharpCompilation edited = Edit(compilation, text => "// a comment that moves every location down one line\n" + text);
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Contains(second.TrackedSteps[TrackingNames.Diagnostics].SelectMany(run => run.Outputs), output => output.Reason == IncrementalStepRunReason.Modified);
        Assert.All(
            second.TrackedSteps[TrackingNames.Plan].SelectMany(run => run.Outputs),
            output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, output.Reason.ToString()));
    }

    [Fact]
    public void LayerEdit_ModifiesTheSourceStep()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(ReferenceNetworks.Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        CSharpCompilation edited = Edit(compilation, text => text.Replace("[Dense(1000), Dense(10)]", "[Dense(1000), Dense(12)]"));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        IncrementalStepRunReason[] reasons = second.TrackedSteps[TrackingNames.Plan].SelectMany(run => run.Outputs).Select(output => output.Reason).ToArray();
        Assert.Equal(1, reasons.Count(reason => reason == IncrementalStepRunReason.Modified)); // FashionNet
        Assert.Equal(3, reasons.Count(reason => reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)); // LeNet5, ResNet8, ResNet20 (graph models cache too)
        Assert.Contains("public const int OutputLength = 12;", second.GeneratedSources.Single(source => source.HintName.EndsWith("FashionNet.g.cs", StringComparison.Ordinal)).SourceText.ToString());
    }

    private static CSharpCompilation Edit(CSharpCompilation compilation, Func<string, string> edit)
    {
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SyntaxTree changed = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(edit(tree.GetText().ToString())));
        return compilation.ReplaceSyntaxTree(tree, changed);
    }

    /// <summary>Walks every field reachable from a model and fails on any Roslyn object that would pin a compilation.</summary>
    private static void AssertNoRoslynObjects(object? value, string path, HashSet<object> visited)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !visited.Add(value))
        {
            return;
        }

        Assert.False(value is ISymbol or Compilation or SyntaxNode or SyntaxTree or SemanticModel or Location or Diagnostic, $"{path} holds a {value.GetType().Name}");
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                AssertNoRoslynObjects(item, $"{path}[{i++}]", visited);
            }
        }

        for (Type? type = value.GetType(); type is not null; type = type.BaseType)
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                AssertNoRoslynObjects(field.GetValue(value), $"{path}.{field.Name}", visited);
            }
        }
    }
}
