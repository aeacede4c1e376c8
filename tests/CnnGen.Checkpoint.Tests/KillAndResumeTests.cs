using System.Diagnostics;
using Xunit.Abstractions;

namespace CnnGen.Checkpoint.Tests;

/// <summary>
/// A training process killed with SIGKILL at random points (most of them inside a checkpoint write:
/// every step writes one, and the kill comes 0–3 ms after the test reads that a step was reported),
/// and resumed each time, ends with the parameters, BatchNorm state and epoch results of a run never
/// killed, bit for bit.
/// </summary>
public sealed class KillAndResumeTests(ITestOutputHelper output) : IDisposable
{
    private const int Epochs = 3, Kills = 8;
    private const int Steps = Epochs * ((Program.TrainCount + Program.BatchSize - 1) / Program.BatchSize);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "cnngen-kill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Runs_killed_at_random_points_and_resumed_end_bit_for_bit_as_a_run_never_killed()
    {
        string reference = Path.Combine(_root, "reference"), killed = Path.Combine(_root, "killed");
        Directory.CreateDirectory(reference);
        Directory.CreateDirectory(killed);
        RunToEnd(reference, checkpoint: false);

        var random = new Random(2026);
        int[] targets = [.. Enumerable.Range(0, Kills).Select(_ => random.Next(1, (2 * Steps / 3) + 1)).Order()];
        int killedCount = 0, duringWrite = 0, betweenRenames = 0;
        string checkpoints = Path.Combine(killed, "checkpoints"), temporary = Path.Combine(checkpoints, "checkpoint.safetensors.tmp");
        Directory.CreateDirectory(checkpoints);
        foreach (int target in targets)
        {
            File.Delete(temporary); // so that one found after the kill comes from a write this kill interrupted
            using Process process = Start(killed, checkpoint: true);
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith("step ", StringComparison.Ordinal) && int.Parse(line[5..], System.Globalization.CultureInfo.InvariantCulture) >= target)
                {
                    Thread.Sleep(random.Next(0, 4));
                    process.Kill(entireProcessTree: true); // SIGKILL on Linux
                    break;
                }
            }

            process.WaitForExit();
            killedCount += process.ExitCode != 0 ? 1 : 0; // the reader lags the child, which may have finished first
            duringWrite += File.Exists(temporary) ? 1 : 0;
            betweenRenames += File.Exists(Path.Combine(checkpoints, "checkpoint.safetensors")) ? 0 : 1;
        }

        string resumedFrom = RunToEnd(killed, checkpoint: true);
        output.WriteLine($"{killedCount} of {Kills} processes killed after steps {string.Join(", ", targets)} of {Steps}: {duringWrite} interrupted a checkpoint write, {betweenRenames} fell between the two renames; final run: {resumedFrom}");

        Assert.True(killedCount >= Kills / 2, $"only {killedCount} of {Kills} processes were killed before they finished");
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "parameters.bin")), File.ReadAllBytes(Path.Combine(killed, "parameters.bin")));
        Assert.Equal(File.ReadAllLines(Path.Combine(reference, "history.txt")), File.ReadAllLines(Path.Combine(killed, "history.txt")));
        Assert.Equal(Epochs, File.ReadAllLines(Path.Combine(killed, "history.txt")).Length);
        Assert.Contains("checkpoint", resumedFrom);
    }

    private static Process Start(string directory, bool checkpoint)
    {
        string assembly = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["exec", assembly, "train", directory, $"{Epochs}", checkpoint ? "1" : "0", checkpoint ? "1" : "0"])
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("The training process did not start.");
    }

    // Runs the child to completion and returns its "resumed from" line.
    private static string RunToEnd(string directory, bool checkpoint)
    {
        using Process process = Start(directory, checkpoint);
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string last = "";
        while (process.StandardOutput.ReadLine() is { } line)
        {
            last = line.StartsWith("step ", StringComparison.Ordinal) ? last : line;
        }

        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"the training process exited with {process.ExitCode}: {errors.Result}");
        return last;
    }
}
