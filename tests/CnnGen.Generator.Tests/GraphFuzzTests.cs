using System.Globalization;
using System.Text;
using CnnGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using static CnnGen.Generator.Tests.Infrastructure.DiagnosticAssert;

namespace CnnGen.Generator.Tests;

/// <summary>
/// Random graphs, most of them malformed — unknown and forward names, merges of mismatched shapes, layers on
/// vectors, out-of-range arguments, unread branches — through the generator (seeded, reproducible). The
/// generator must never throw (users would see CS8785), every problem must be one of its own diagnostics
/// located in the source, and whatever it generates without an error must compile.
/// </summary>
public sealed class GraphFuzzTests
{
    private static readonly string[] Names = ["a", "b", "c", "stem", "input", "late", "missing"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_graphs_never_crash_the_generator_and_clean_ones_compile(int seed)
    {
        var random = new Random(seed);
        int generated = 0, rejected = 0;
        for (int network = 0; network < 40; network++)
        {
            string attributes = RandomNetwork(random);
            GeneratorRun run = GeneratorHarness.Run(Declare(attributes)); // asserts the generator did not throw
            Assert.All(run.GeneratorDiagnostics, diagnostic =>
            {
                Assert.StartsWith("CNN", diagnostic.Id, StringComparison.Ordinal);
                Assert.True(diagnostic.Location.IsInSource, $"{diagnostic.Id} is not located, for {attributes}");
            });
            if (run.GeneratorDiagnostics.Any(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error))
            {
                Assert.Empty(run.Result.GeneratedSources);
                rejected++;
                continue;
            }

            Assert.True(run.CompileErrors.Count == 0, $"{attributes}\n{string.Join("\n", run.CompileErrors)}");
            generated++;
        }

        // The grammar reaches both outcomes, so neither half of the test is vacuous.
        Assert.True(generated > 0 && rejected > 0, $"generated {generated}, rejected {rejected}");
    }

    private static string RandomNetwork(Random random)
    {
        var text = new StringBuilder($"[Input({random.Next(1, 4)}, {random.Next(4, 10)}, {random.Next(4, 10)})]");
        int layers = random.Next(1, 9);
        for (int i = 0; i < layers; i++)
        {
            text.Append(" [").Append(RandomLayer(random)).Append(']');
        }

        return text.ToString();
    }

    private static string RandomLayer(Random random)
    {
        string name = random.Next(3) == 0 ? $", Name = \"{Names[random.Next(4)]}\"" : string.Empty;
        string Merge() => string.Join(", ", Enumerable.Range(0, random.Next(0, 3)).Select(_ => $"\"{Names[random.Next(Names.Length)]}\"").Append(name.Length > 0 ? name.Substring(2) : null).OfType<string>());
        return random.Next(12) switch
        {
            0 => $"Conv2D({random.Next(0, 5)}, {random.Next(1, 4)}, Padding = {random.Next(-1, 2)}, Stride = {random.Next(1, 3)}, Bias = {(random.Next(2) == 0 ? "true" : "false")}{name})",
            1 => $"MaxPool2D({random.Next(1, 3)}{name})",
            2 => $"AvgPool2D({random.Next(1, 4)}, Stride = {random.Next(0, 3)}{name})",
            3 => $"Relu{(name.Length > 0 ? "(" + name.Substring(2) + ")" : string.Empty)}",
            4 => $"BatchNorm2D(Momentum = {(random.NextDouble() * 1.4).ToString("0.0", CultureInfo.InvariantCulture)}{name})",
            5 => "Flatten",
            6 => $"Dense({random.Next(0, 6)}{name})",
            7 => "GlobalAvgPool2D",
            8 => $"From(\"{Names[random.Next(Names.Length)]}\")",
            9 => $"Add({Merge()})",
            10 => $"Concat({Merge()})",
            _ => $"Dropout(0.{random.Next(0, 10)}{name})",
        };
    }
}
