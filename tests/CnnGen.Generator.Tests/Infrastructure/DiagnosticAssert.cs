using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Tests.Infrastructure;

/// <summary>An expected diagnostic: ID, severity, the exact source text it points at, and the exact message.</summary>
internal sealed record ExpectedDiagnostic(string Id, DiagnosticSeverity Severity, string LocatedText, string Message);

internal static class DiagnosticAssert
{
    /// <summary>
    /// Runs the generator on a network declared with <paramref name="attributes"/> on a class named
    /// <c>Net</c> and asserts that exactly <paramref name="expected"/> are reported, in source order.
    /// </summary>
    public static GeneratorRun Reports(string attributes, params ExpectedDiagnostic[] expected) =>
        ReportsIn(Declare(attributes), expected);

    public static GeneratorRun ReportsIn(string source, params ExpectedDiagnostic[] expected) =>
        ReportsIn(source, [], expected);

    public static GeneratorRun ReportsIn(string source, AdditionalText[] additionalFiles, params ExpectedDiagnostic[] expected)
    {
        GeneratorRun run = GeneratorHarness.Run(source, additionalFiles);
        Assert.Empty(run.CompileErrors);
        Diagnostic[] actual = run.GeneratorDiagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id).ToArray();
        Assert.True(
            expected.Length == actual.Length,
            $"Expected {expected.Length} diagnostics but got {actual.Length}:\n{string.Join("\n", actual.Select(Snapshot.Describe))}");
        for (int i = 0; i < expected.Length; i++)
        {
            Diagnostic diagnostic = actual[i];
            Assert.Equal(expected[i].Id, diagnostic.Id);
            Assert.Equal(expected[i].Severity, diagnostic.Severity);
            Assert.Equal(expected[i].Message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(expected[i].LocatedText, LocatedText(run, diagnostic));
            Assert.Equal($"https://github.com/cnngen/cnngen/blob/main/docs/diagnostics/{diagnostic.Id}.md", diagnostic.Descriptor.HelpLinkUri);
        }

        return run;
    }

    /// <summary>The source text a diagnostic points at; it must be in a tree of the compilation so #pragma applies.</summary>
    private static string LocatedText(GeneratorRun run, Diagnostic diagnostic)
    {
        Assert.True(diagnostic.Location.IsInSource, "generator diagnostics must be located in a syntax tree");
        Assert.Contains(diagnostic.Location.SourceTree, run.Input.SyntaxTrees);
        return diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);
    }

    public static string Declare(string attributes, string declaration = "public partial class Net;") => $$"""
        using CnnGen;

        namespace Tests;

        [Network]
        {{attributes}}
        {{declaration}}
        """;

    public static ExpectedDiagnostic Error(string id, string locatedText, string message) => new(id, DiagnosticSeverity.Error, locatedText, message);

    public static ExpectedDiagnostic Warning(string id, string locatedText, string message) => new(id, DiagnosticSeverity.Warning, locatedText, message);
}
