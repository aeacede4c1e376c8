using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Tests.Infrastructure;

/// <summary>
/// Snapshot testing without Verify: compares text with <c>Snapshots/{name}.verified.txt</c> next to
/// the test sources. On a mismatch it writes <c>{name}.received.txt</c> (git-ignored) and fails at
/// the first differing line. <c>CNNGEN_UPDATE_SNAPSHOTS=1</c> accepts the received text, except on
/// CI (<c>CI=true</c>), where snapshots are only ever compared.
/// </summary>
internal static partial class Snapshot
{
    /// <summary>Verifies the run's diagnostics and generated sources, or only the source named <paramref name="hintName"/>.</summary>
    public static void Verify(GeneratorRun run, string name, string? hintName = null, [CallerFilePath] string callerPath = "")
    {
        var text = new StringBuilder();
        text.Append("// Diagnostics\n");
        foreach (Diagnostic diagnostic in run.GeneratorDiagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id))
        {
            text.Append(Describe(diagnostic)).Append('\n');
        }

        foreach (var source in run.Result.GeneratedSources.Where(s => hintName is null || s.HintName == hintName).OrderBy(s => s.HintName, StringComparer.Ordinal))
        {
            text.Append("\n// ").Append(source.HintName).Append('\n').Append(source.SourceText.ToString());
        }

        VerifyText(text.ToString(), name, callerPath);
    }

    /// <summary><c>CNN0003 Error (12,5)-(12,31): message</c>, with 1-based lines and columns.</summary>
    public static string Describe(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan().Span;
        return $"{diagnostic.Id} {diagnostic.Severity} ({span.Start.Line + 1},{span.Start.Character + 1})-({span.End.Line + 1},{span.End.Character + 1}): {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    public static void VerifyText(string actual, string name, string callerPath)
    {
        string directory = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        string verifiedPath = Path.Combine(directory, name + ".verified.txt");
        string receivedPath = Path.Combine(directory, name + ".received.txt");
        actual = Normalize(actual);
        string? expected = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        bool onCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!onCi && Environment.GetEnvironmentVariable("CNNGEN_UPDATE_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, actual);
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(receivedPath, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verifiedPath}; received text written to {receivedPath}. Review it, then run with CNNGEN_UPDATE_SNAPSHOTS=1 to accept."
            : $"Snapshot {name} differs: {FirstDifference(expected, actual)}. Received text in {receivedPath}; run with CNNGEN_UPDATE_SNAPSHOTS=1 to accept.");
    }

    private static string FirstDifference(string expected, string actual)
    {
        string[] expectedLines = expected.Split('\n'), actualLines = actual.Split('\n');
        for (int i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            string? e = i < expectedLines.Length ? expectedLines[i] : null;
            string? a = i < actualLines.Length ? actualLines[i] : null;
            if (e != a)
            {
                return $"line {i + 1}: expected «{e ?? "<end>"}» but got «{a ?? "<end>"}»";
            }
        }

        return "same lines, different text";
    }

    /// <summary>Line endings to \n, and the generator version to a placeholder.</summary>
    private static string Normalize(string text) =>
        VersionPattern().Replace(text.Replace("\r\n", "\n"), "GeneratedCode(\"CnnGen.Generator\", \"{version}\")");

    [GeneratedRegex("GeneratedCode\\(\"CnnGen\\.Generator\", \"[^\"]*\"\\)")]
    private static partial Regex VersionPattern();
}
