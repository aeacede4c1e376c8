using CnnGen.Integration.Tests.Support;

// One build and one emulator at a time: each already keeps the 2 cores of a CI machine busy.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace CnnGen.Arm64.Tests;

/// <summary>
/// A <see cref="FactAttribute"/> skipped, with the reason in the report, where ARM64 programs cannot run here:
/// no <c>qemu-aarch64-static</c>, or no ARM64 C library for it. With <c>CNNGEN_REQUIRE_ARM64=1</c> (.ci/run, which
/// installs both) a missing piece fails the test instead, so CI cannot pass by skipping.
/// </summary>
public sealed class Arm64FactAttribute : FactAttribute
{
    public Arm64FactAttribute()
    {
        if (Arm64.MissingReason is { } reason && Environment.GetEnvironmentVariable("CNNGEN_REQUIRE_ARM64") != "1")
        {
            Skip = reason;
        }
    }
}

/// <summary>Running linux-arm64 programs on this x64 machine: qemu user-mode emulation over Debian's ARM64 libraries.</summary>
internal static class Arm64
{
    /// <summary>Debian's ARM64 C and C++ runtime (libc6-arm64-cross, libstdc++6-arm64-cross): qemu's <c>-L</c> prefix.</summary>
    public const string SysRoot = "/usr/aarch64-linux-gnu";

    /// <summary>What the CI installs: the emulator, the ARM64 runtime libraries, and clang + lld + the ARM64 C development files for NativeAOT.</summary>
    public const string Packages = "qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross clang lld libc6-dev-arm64-cross libgcc-12-dev-arm64-cross";

    /// <summary>A build or publish: ~1–3 minutes on 2 quiet cores, 10 when other builds share them.</summary>
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(20);

    public static readonly TimeSpan EmulationTimeout = TimeSpan.FromMinutes(30);

    public static string Emulator => "qemu-aarch64-static";

    /// <summary>Why ARM64 programs cannot run here, or null.</summary>
    public static string? MissingReason =>
        !OperatingSystem.IsLinux() ? "ARM64 under qemu: Linux only."
        : FindOnPath(Emulator) is null ? $"ARM64 under qemu: {Emulator} is not on PATH (apt-get install -y {Packages})."
        : !File.Exists(Path.Combine(SysRoot, "lib", "ld-linux-aarch64.so.1")) ? $"ARM64 under qemu: no ARM64 C library in {SysRoot} (apt-get install -y {Packages})."
        : null;

    /// <summary>Runs an ARM64 executable under the emulator, with <paramref name="environment"/> (NAME=value) set for it.</summary>
    public static ExternalProcess.Result Run(string executable, IEnumerable<string> arguments, string workingDirectory, params string[] environment) =>
        ExternalProcess.Run(
            Emulator, ["-L", SysRoot, .. environment.SelectMany(variable => new[] { "-E", variable }), executable, .. arguments], workingDirectory, EmulationTimeout);

    /// <summary>The directory holding CnnGen.sln, found upwards from the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CnnGen.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No CnnGen.sln above {AppContext.BaseDirectory}.");
    }

    public static string Tail(string text, int lines = 60) => string.Join('\n', text.Split('\n').TakeLast(lines));

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
