using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace CnnGen.Integration.Tests.Support;

/// <summary>
/// A <see cref="FactAttribute"/> that is skipped, with the reason in the test report, when this machine
/// cannot link a NativeAOT executable: not linux-x64, or no working platform linker (NativeAOT links
/// with <c>clang</c>, else <c>gcc</c>, as its build targets do). Any other publish failure fails the test.
/// </summary>
public sealed class NativeAotFactAttribute : FactAttribute
{
    public NativeAotFactAttribute()
    {
        if (NativeAotToolchain.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>What NativeAOT needs beyond the .NET SDK, checked once per test run.</summary>
internal static class NativeAotToolchain
{
    private static readonly Lazy<string?> Missing = new(FindMissing);

    /// <summary>Why NativeAOT cannot publish here, or <see langword="null"/> when it can.</summary>
    public static string? MissingReason => Missing.Value;

    /// <summary>
    /// <c>objcopy</c> or <c>llvm-objcopy</c> is on PATH: without one, publish with <c>StripSymbols=false</c>
    /// (symbol stripping is optional; NativeAOT fails without the tool rather than skip it).
    /// </summary>
    public static bool CanStripSymbols => FindOnPath("objcopy") is not null || FindOnPath("llvm-objcopy") is not null;

    private static string? FindMissing()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            return $"NativeAOT toolchain missing: this test publishes for linux-x64 and runs on {RuntimeInformation.RuntimeIdentifier}.";
        }

        string[] compilers = ["clang", "gcc"];
        string? compiler = compilers.Select(FindOnPath).FirstOrDefault(path => path is not null);
        if (compiler is null)
        {
            return "NativeAOT toolchain missing: neither clang nor gcc is on PATH (NativeAOT links with the platform's C compiler; "
                + "see https://aka.ms/nativeaot-prerequisites, e.g. `apt-get install clang zlib1g-dev`).";
        }

        // The compiler alone is not enough: it must link an executable (C runtime objects, libc, libm, libdl).
        string directory = Directory.CreateTempSubdirectory("cnngen-linker-probe-").FullName;
        try
        {
            string source = Path.Combine(directory, "probe.c");
            File.WriteAllText(source, "int main(void) { return 0; }\n");
            ExternalProcess.Result result = ExternalProcess.Run(
                compiler, [source, "-o", Path.Combine(directory, "probe"), "-lm", "-ldl", "-lpthread"], directory, TimeSpan.FromMinutes(1));
            return result.ExitCode == 0
                ? null
                : $"NativeAOT toolchain missing: {compiler} cannot link a C program (see https://aka.ms/nativeaot-prerequisites):\n{result.Output}";
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}

/// <summary>Runs a program to completion with a time limit, capturing its standard output and error.</summary>
internal static class ExternalProcess
{
    /// <param name="ExitCode">The exit code, or -1 if the time limit killed it.</param>
    /// <param name="Output">Standard output, then standard error.</param>
    /// <param name="Elapsed">The wall-clock time.</param>
    internal sealed record Result(int ExitCode, string Output, TimeSpan Elapsed)
    {
        public bool TimedOut => ExitCode == -1;
    }

    /// <summary>The <c>dotnet</c> host running this test (the same SDK), else <c>dotnet</c> on PATH.</summary>
    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static Result Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // A child `dotnet build` must not inherit the test host's MSBuild settings, nor leave build
        // servers behind that hold this process's output pipes open.
        foreach (string name in startInfo.Environment.Keys.Where(key => key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        startInfo.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        startInfo.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        startInfo.Environment["UseSharedCompilation"] = "false";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";

        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        process.Start();
        Task<string> standardOutput = process.StandardOutput.ReadToEndAsync();
        Task<string> standardError = process.StandardError.ReadToEndAsync();
        bool exited = process.WaitForExit(timeout);
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(30));
        }

        // The pipes reach their end when the process (and any child that inherited them) has exited.
        bool drained = Task.WaitAll([standardOutput, standardError], TimeSpan.FromSeconds(30));
        var output = new StringBuilder();
        output.Append(drained || standardOutput.IsCompleted ? standardOutput.Result : "*** standard output still open\n");
        output.Append(drained || standardError.IsCompleted ? standardError.Result : "*** standard error still open\n");
        if (!exited)
        {
            output.AppendLine($"*** killed after the time limit of {timeout.TotalMinutes:F0} min");
        }

        return new Result(exited ? process.ExitCode : -1, output.ToString(), stopwatch.Elapsed);
    }
}
