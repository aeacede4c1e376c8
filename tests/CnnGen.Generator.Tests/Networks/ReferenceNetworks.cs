using System.Runtime.CompilerServices;

namespace CnnGen.Generator.Tests.Networks;

/// <summary>
/// The reference architectures as source text: the very file the other test projects compile
/// (tests/Shared/ReferenceNetworks.cs), so the snapshots show the code those tests run.
/// </summary>
internal static class ReferenceNetworks
{
    public static string Source { get; } = File.ReadAllText(SharedFile());

    private static string SharedFile([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "..", "..", "Shared", "ReferenceNetworks.cs");
}
