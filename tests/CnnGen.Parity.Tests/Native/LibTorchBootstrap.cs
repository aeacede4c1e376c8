using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace CnnGen.Parity.Tests.Native;

/// <summary>
/// Makes TorchSharp's native libraries loadable in this test process and configures torch
/// for deterministic single-threaded float32 work. Runs automatically (module initializer)
/// before any code of this assembly, hence before anything can touch <see cref="torch"/>.
/// </summary>
/// <remarks>
/// <para>
/// The problem: TorchSharp 0.107.0 ships <c>libLibTorchSharp.so</c> built with GCC 13, so its
/// <c>.gnu.version_r</c> requires <c>GLIBCXX_3.4.32</c> from <c>libstdc++.so.6</c>. Debian 12
/// ships GCC 12's libstdc++ (newest version GLIBCXX_3.4.30) and glibc's loader refuses the
/// library. The only symbol tagged with that version is
/// <c>std::ios_base_library_init()</c>, a marker that GCC 13's &lt;iostream&gt; merely
/// declares <c>.globl</c> to pin the dependency; no relocation in the library refers to it,
/// so nothing ever has to resolve it.
/// </para>
/// <para>
/// The fix: mark that single version need weak (<see cref="ElfVersionNeedPatcher"/>) in the
/// <em>copy</em> of the library in this assembly's build output (never the NuGet cache,
/// never the system), then load it from there by full path. The dependencies
/// (<c>libtorch.so</c>, <c>libtorch_cpu.so</c>, <c>libc10.so</c>, <c>libgomp-*.so.1</c>) sit in
/// the same directory and are found through the libraries' <c>RUNPATH $ORIGIN</c>; their own
/// version needs (GLIBCXX ≤ 3.4.26, GLIBC ≤ 2.29) are met by Debian 12, so they need no edit
/// and no LD_LIBRARY_PATH. TorchSharp's own loader later asks for "LibTorchSharp" by name;
/// the host resolves that to the same file (listed in the .deps.json), and dlopen returns the
/// already-loaded handle.
/// </para>
/// </remarks>
public static class LibTorchBootstrap
{
    /// <summary>The glue library TorchSharp P/Invokes into.</summary>
    public const string GlueLibrary = "libLibTorchSharp.so";

    /// <summary>The version need that Debian 12's libstdc++ cannot satisfy.</summary>
    public const string MissingVersion = "GLIBCXX_3.4.32";

    public const string StdCxxLibrary = "libstdc++.so.6";

    private static readonly object Gate = new();
    private static bool initialized;

    /// <summary>Paths of the glue library copies that were checked/patched (for diagnostics).</summary>
    public static IReadOnlyList<(string Path, ElfVersionNeedPatcher.Outcome Outcome)> PatchedFiles { get; private set; } = [];

#pragma warning disable CA2255 // The test assembly is the "application" here: the patch must run before TorchSharp's type initializer.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnModuleLoad() => EnsureInitialized();

    /// <summary>Idempotent; throws with a descriptive message if libtorch cannot be made to load.</summary>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (initialized)
            {
                return;
            }

            if (OperatingSystem.IsLinux())
            {
                PatchAndPreload();
            }

            // Deterministic, single-threaded CPU math (also keeps the 2-core CI box responsive).
            torch.InitializeDeviceType(DeviceType.CPU);
            torch.set_num_threads(1);
            torch.set_num_interop_threads(1);
            torch.set_default_dtype(torch.float32);
            torch.manual_seed(0);
            initialized = true;
        }
    }

    private static void PatchAndPreload()
    {
        // With <RuntimeIdentifier>linux-x64</RuntimeIdentifier> (see the .csproj) the natives are
        // copied to the output root; a RID-less build puts them under runtimes/linux-x64/native.
        var baseDir = AppContext.BaseDirectory;
        var candidates = new[]
        {
            Path.Combine(baseDir, GlueLibrary),
            Path.Combine(baseDir, "runtimes", "linux-x64", "native", GlueLibrary),
        };
        var present = candidates.Where(File.Exists).ToArray();
        if (present.Length == 0)
        {
            throw new FileNotFoundException(
                $"{GlueLibrary} was not found in the build output (looked at: {string.Join(", ", candidates)}). " +
                "Is the TorchSharp-cpu package referenced and restored for linux-x64?");
        }

        var outcomes = new List<(string, ElfVersionNeedPatcher.Outcome)>();
        foreach (var path in present)
        {
            outcomes.Add((path, ElfVersionNeedPatcher.MarkWeak(path, StdCxxLibrary, MissingVersion)));
        }

        PatchedFiles = outcomes;

        // Load by full path so a failure surfaces here with dlerror()'s text, instead of as
        // TorchSharp's generic message (after it has copied ~500 MB of natives to bin/cpu/).
        try
        {
            NativeLibrary.Load(present[0]);
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException(
                $"Loading the patched {present[0]} failed even after weakening its {MissingVersion} need. " +
                $"Check the remaining version needs with `readelf -V`. Loader said: {e.Message}", e);
        }
    }
}
