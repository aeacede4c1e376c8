using System.Text.Json;
using CnnGen.Package.Tests.Support;
using Xunit.Abstractions;

namespace CnnGen.Package.Tests;

/// <summary>
/// A fresh console app, outside the repository, installs CnnGen from the local feed with
/// <c>dotnet add package</c>, declares networks, builds with warnings as errors and runs: the
/// package works the way users install it.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class ConsumerTests(PackedFeed feed, ITestOutputHelper output)
{
    private const string ProjectFile = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
          </PropertyGroup>
        </Project>
        """;

    private const string ProgramSource = """
        using System.Globalization;
        using CnnGen.Runtime;
        using Consumer;

        // The 6×6 image: three columns of 10 (bright) then three of 0 (dark).
        float[] image = new float[Edge.InputLength];
        for (int y = 0; y < 6; y++)
        {
            for (int x = 0; x < 3; x++)
            {
                image[(y * 6) + x] = 10;
            }
        }

        // The vertical edge filter [[1, 0, −1] × 3] and a zero bias, in PyTorch's layout (out, in, kH, kW).
        var edge = new Edge();
        float[] filter = [1, 0, -1, 1, 0, -1, 1, 0, -1];
        filter.CopyTo(edge.Parameters);
        edge.Parameters[9] = 0;
        float[] edges = new float[Edge.OutputLength];
        edge.Forward(image, edges);

        Console.WriteLine(Edge.Summary);
        for (int y = 0; y < 4; y++)
        {
            Console.WriteLine("row " + string.Join(",", edges.AsSpan(y * 4, 4).ToArray().Select(v => v.ToString("0", CultureInfo.InvariantCulture))));
        }

        // LeNet-5 through the runtime's interface: the runtime assembly comes from the CnnGen.Runtime package.
        INetwork lenet = new LeNet5();
        float[] logits = new float[LeNet5.OutputLength];
        lenet.Forward(new float[LeNet5.InputLength], logits);
        Console.WriteLine($"LeNet5 parameters {lenet.ParameterCount}");
        Console.WriteLine($"LeNet5 logits finite {logits.All(float.IsFinite)}");
        Console.WriteLine(LeNet5.Summary);
        """;

    private const string NetworksSource = """
        using CnnGen;

        namespace Consumer;

        [Network]
        [Input(1, 6, 6)]
        [Conv2D(1, 3)]
        public partial class Edge;

        [Network]
        [Input(1, 32, 32)]
        [Conv2D(6, 5), Relu, MaxPool2D(2)]
        [Conv2D(16, 5), Relu, MaxPool2D(2)]
        [Flatten]
        [Dense(120), Relu]
        [Dense(84), Relu]
        [Dense(10)]
        public partial class LeNet5;
        """;

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void App_installs_CnnGen_from_the_feed_builds_without_warnings_and_runs()
    {
        output.WriteLine($"Packed {feed.Version} in {feed.PackDuration.TotalSeconds:0.0} s into {feed.Feed}");

        // Outside the repository (its Directory.Build.props and Directory.Packages.props must not
        // apply), with empty ones of its own in case the temp directory sits below another project.
        string root = Directory.CreateDirectory(Path.Combine(feed.Root, "consumer")).FullName;
        Assert.False(IsUnder(root, feed.RepositoryRoot), $"The consumer {root} must not be inside the repository {feed.RepositoryRoot}.");
        foreach (string name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(root, name), "<Project />\n");
        }

        // The local feed is added to the sources the machine already has (the registry, which
        // serves the runtime's System.Numerics.Tensors). A package folder of its own keeps this
        // run's packages out of the user's cache and a stale cache out of this run.
        File.WriteAllText(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="cnngen-package-test-feed" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """);
        string packages = Path.Combine(feed.Root, "packages");
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages };

        string app = Directory.CreateDirectory(Path.Combine(root, "App")).FullName;
        File.WriteAllText(Path.Combine(app, "App.csproj"), ProjectFile);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ProgramSource);
        File.WriteAllText(Path.Combine(app, "Networks.cs"), NetworksSource);

        // No --source: it would restrict the restore to the feed, where System.Numerics.Tensors is not.
        CommandResult add = Run(app, environment, "add", "package", "CnnGen", "--version", feed.Version);
        Assert.Contains($"Include=\"CnnGen\" Version=\"{feed.Version}\"", File.ReadAllText(Path.Combine(app, "App.csproj")), StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(feed.Feed), Path.GetFullPath(InstalledFrom(packages, "CnnGen")));
        Assert.Equal(Path.GetFullPath(feed.Feed), Path.GetFullPath(InstalledFrom(packages, "CnnGen.Runtime")));
        Assert.DoesNotContain("NU1603", add.Output, StringComparison.Ordinal);

        CommandResult build = Run(app, environment, "build", "-c", "Release", "-warnaserror", "--disable-build-servers", "-p:EmitCompilerGeneratedFiles=true");
        // CS9057: the generator was compiled against a newer Roslyn than this compiler; CS8785: the
        // generator threw; CS8032: it could not be loaded. Any of them means users get no code.
        foreach (string id in new[] { "CS9057", "CS8785", "CS8032", "NU1603" })
        {
            Assert.False(build.Output.Contains(id, StringComparison.OrdinalIgnoreCase), $"The build output mentions {id}.\n{build.Describe()}");
        }
        Assert.Contains("0 Warning(s)", build.Output, StringComparison.Ordinal);

        // The code came from the packaged generator.
        string generated = Path.Combine(app, "obj", "Release", "net10.0", "generated", "CnnGen.Generator");
        Assert.True(Directory.Exists(generated), $"No generated sources under {generated}.\n{build.Describe()}");
        string[] files = Directory.GetFiles(generated, "*.g.cs", SearchOption.AllDirectories).Select(Path.GetFileName).ToArray()!;
        Assert.Contains(files, f => f.Contains("Edge", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Contains("LeNet5", StringComparison.Ordinal));

        string bin = Path.Combine(app, "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(bin, "CnnGen.Runtime.dll")), "CnnGen.Runtime.dll was not copied to the app's output.");
        Assert.False(File.Exists(Path.Combine(bin, "CnnGen.Generator.dll")), "The generator must not be copied to the app's output.");

        CommandResult run = Run(app, environment, Path.Combine(bin, "App.dll"));
        string[] lines = run.StandardOutput.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal(["row 0,30,30,0", "row 0,30,30,0", "row 0,30,30,0", "row 0,30,30,0"], lines.Where(l => l.StartsWith("row ", StringComparison.Ordinal)).ToArray());
        Assert.Contains(lines, l => l.StartsWith("conv1", StringComparison.Ordinal) && l.Contains("(1, 4, 4)", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" 10", StringComparison.Ordinal));
        Assert.Contains("Total parameters: 10", lines);
        Assert.Contains("LeNet5 parameters 61706", lines);
        Assert.Contains("LeNet5 logits finite True", lines);
        Assert.Contains("Total parameters: 61,706", lines);
    }

    private CommandResult Run(string directory, Dictionary<string, string> environment, params string[] arguments)
    {
        CommandResult result = DotNetCli.RunChecked(directory, Timeout, environment, arguments);
        output.WriteLine($"{result.CommandLine}: {result.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    /// <summary>The source NuGet recorded when it put the package into the (isolated) package folder.</summary>
    private string InstalledFrom(string packages, string id)
    {
        string metadata = Path.Combine(packages, id.ToLowerInvariant(), feed.Version.ToLowerInvariant(), ".nupkg.metadata");
        Assert.True(File.Exists(metadata), $"{id} {feed.Version} was not installed into {packages}.");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(metadata));
        return json.RootElement.GetProperty("source").GetString()!;
    }

    private static bool IsUnder(string path, string directory)
    {
        string relative = Path.GetRelativePath(Path.GetFullPath(directory), Path.GetFullPath(path));
        return relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }
}
