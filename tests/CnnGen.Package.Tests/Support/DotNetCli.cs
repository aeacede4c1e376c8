using System.Diagnostics;
using System.Text;

namespace CnnGen.Package.Tests.Support;

/// <summary>The outcome of one <c>dotnet</c> command: what ran, where, its exit code, its output and how long it took.</summary>
public sealed record CommandResult(string CommandLine, string WorkingDirectory, int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    /// <summary>stdout and stderr together, as the user would see them in a terminal (stderr last).</summary>
    public string Output => StandardOutput + StandardError;

    /// <summary>Everything needed to diagnose a failure from the test log alone.</summary>
    public string Describe() =>
        $"`{CommandLine}` in {WorkingDirectory} exited with {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n"
        + $"--- stdout ---\n{Tail(StandardOutput)}\n--- stderr ---\n{Tail(StandardError)}";

    private static string Tail(string text, int max = 24_000) =>
        text.Length <= max ? text : "[... " + (text.Length - max) + " characters cut ...]\n" + text[^max..];
}

/// <summary>
/// Runs the .NET SDK's <c>dotnet</c> in a child process: no persistent build servers (so no orphaned
/// MSBuild node or compiler server keeps the output pipes open or outlives the test), a timeout that
/// kills the whole process tree, and an environment cleaned of what the test host inherited from the
/// <c>dotnet test</c> that started it.
/// </summary>
public static class DotNetCli
{
    /// <summary>The <c>dotnet</c> host that runs these tests (so the same SDK is used), else the one on PATH.</summary>
    public static string HostPath { get; } = FindHost();

    public static CommandResult Run(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(HostPath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The test host runs inside `dotnet test`, whose MSBuild-specific variables would point a
        // nested SDK invocation at the parent's MSBuild; a user's shell has none of them.
        foreach (string key in startInfo.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            {
                startInfo.Environment.Remove(key);
            }
        }
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        startInfo.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        startInfo.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        startInfo.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        startInfo.Environment["UseSharedCompilation"] = "false";
        if (environment is not null)
        {
            foreach ((string key, string value) in environment)
            {
                startInfo.Environment[key] = value;
            }
        }

        string commandLine = "dotnet " + string.Join(" ", arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the timeout and the kill.
            }
            process.WaitForExit(TimeSpan.FromSeconds(10));
            var timedOut = new CommandResult(commandLine, workingDirectory, -1, Snapshot(stdout), Snapshot(stderr), stopwatch.Elapsed);
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s.\n" + timedOut.Describe());
        }
        process.WaitForExit(); // Drains the asynchronous output readers.
        return new CommandResult(commandLine, workingDirectory, process.ExitCode, Snapshot(stdout), Snapshot(stderr), stopwatch.Elapsed);
    }

    /// <summary>Runs a command and fails the test, with its whole output, unless it exits with 0.</summary>
    public static CommandResult RunChecked(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        CommandResult result = Run(workingDirectory, timeout, environment, arguments);
        Assert.True(result.ExitCode == 0, result.Describe());
        return result;
    }

    private static string Snapshot(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }

    private static string FindHost()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }
        return OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
    }
}
