using System.Diagnostics;
using System.Globalization;

namespace CnnGen.Package.Tests.Support;

/// <summary>
/// Packs <c>src/CnnGen</c> and <c>runtime/CnnGen.Runtime</c> from this repository, once per test
/// class, into a local folder feed under a fresh temporary directory, with a version no other run
/// uses (<c>0.1.0-test.&lt;UTC time&gt;.&lt;random&gt;</c>). The build goes to that directory too
/// (<c>--artifacts-path</c>), so the solution's own <c>bin/</c> and <c>obj/</c> are never written
/// and several runs, or other test projects, can go on at the same time.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    /// <summary>Generous: a first pack on a fresh machine restores Roslyn and System.Numerics.Tensors from the registry.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    public PackedFeed()
    {
        RepositoryRoot = FindRepositoryRoot();
        Root = Directory.CreateTempSubdirectory("cnngen-package-tests-").FullName;
        Feed = Directory.CreateDirectory(Path.Combine(Root, "feed")).FullName;
        Version = string.Create(CultureInfo.InvariantCulture, $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Random.Shared.Next(1, 1_000_000)}");

        var stopwatch = Stopwatch.StartNew();
        string artifacts = Path.Combine(Root, "artifacts");
        try
        {
            foreach (string project in new[] { "runtime/CnnGen.Runtime/CnnGen.Runtime.csproj", "src/CnnGen/CnnGen.csproj" })
            {
                PackLog.Add(DotNetCli.RunChecked(
                    RepositoryRoot,
                    CommandTimeout,
                    environment: null,
                    "pack", Path.Combine(RepositoryRoot, project),
                    "-c", "Release",
                    "-o", Feed,
                    "--artifacts-path", artifacts,
                    "-p:Version=" + Version,
                    "-warnaserror",
                    "--disable-build-servers"));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        PackDuration = stopwatch.Elapsed;
    }

    /// <summary>The repository the packages are built from (the directory holding CnnGen.sln).</summary>
    public string RepositoryRoot { get; }

    /// <summary>This run's temporary directory; deleted on dispose.</summary>
    public string Root { get; }

    /// <summary>The local folder feed holding the .nupkg and .snupkg files.</summary>
    public string Feed { get; }

    /// <summary>The unique package version of this run.</summary>
    public string Version { get; }

    public TimeSpan PackDuration { get; }

    public List<CommandResult> PackLog { get; } = [];

    public string PackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    public string SymbolPackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.snupkg");

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("CNNGEN_KEEP_PACKAGE_TEST_DIR") == "1")
        {
            return;
        }
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (attempt == 3)
                {
                    return; // A leftover temporary directory must not fail the run.
                }
                Thread.Sleep(500);
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CnnGen.sln")) && File.Exists(Path.Combine(directory.FullName, "src", "CnnGen", "CnnGen.csproj")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No CnnGen.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>All package tests share one pack (it is the slow part).</summary>
[CollectionDefinition(Name)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "Packed feed";
}
