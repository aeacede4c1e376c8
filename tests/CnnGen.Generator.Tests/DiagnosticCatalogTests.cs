using System.Runtime.CompilerServices;
using CnnGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Tests;

/// <summary>The catalog, its release tracking and its documentation agree.</summary>
public sealed class DiagnosticCatalogTests
{
    [Fact]
    public void EveryDiagnosticHasADocPageAReleaseEntryAndAHelpLink()
    {
        string root = RepositoryRoot();
        string releases = File.ReadAllText(Path.Combine(root, "generator/CnnGen.Generator/AnalyzerReleases.Unshipped.md"));
        string index = File.ReadAllText(Path.Combine(root, "docs/diagnostics/README.md"));
        DiagnosticDescriptor[] catalog = DiagnosticDescriptors.Catalog.ToArray();

        Assert.Equal(27, catalog.Length);
        foreach (DiagnosticDescriptor descriptor in catalog)
        {
            string page = Path.Combine(root, "docs/diagnostics", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"missing {page}");
            Assert.StartsWith($"# {descriptor.Id}: {descriptor.Title}", File.ReadAllText(page));
            Assert.Contains($"{descriptor.Id} | {descriptor.Category} | {descriptor.DefaultSeverity} | {descriptor.Title}", releases);
            Assert.Contains($"[{descriptor.Id}]({descriptor.Id}.md)", index);
            Assert.EndsWith($"docs/diagnostics/{descriptor.Id}.md", descriptor.HelpLinkUri);
        }
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
