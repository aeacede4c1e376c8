using System.Globalization;
using CnnGen.Integration.Tests.Support;
using Xunit.Abstractions;

namespace CnnGen.Arm64.Tests;

/// <summary>
/// samples/EmbeddedInference published with NativeAOT for linux-arm64 (cross-compiled here: clang + lld and Debian's
/// ARM64 C development files) classifies the committed 2,000-image Fashion-MNIST subset under qemu with the same
/// predictions as the x64 JIT build, each logit within <see cref="LogitTolerance"/>, with its kernels at 128 bits
/// with fused multiply-add (AdvSimd). The two builds sum in different orders (16 lanes against 4), so logits agree
/// to rounding, not bit for bit.
/// </summary>
public sealed class EmbeddedInferenceOnArm64Tests(ITestOutputHelper output)
{
    /// <summary>Relative to max(1, |logit|): a float sum of a few hundred products reordered.</summary>
    private const double LogitTolerance = 1e-5;

    [Arm64Fact]
    public void NativeAot_arm64_executable_classifies_as_the_x64_build()
    {
        string root = Arm64.RepositoryRoot();
        string project = Path.Combine(root, "samples", "EmbeddedInference", "EmbeddedInference.csproj");
        string work = Directory.CreateTempSubdirectory("cnngen-arm64-embedded-").FullName;
        try
        {
            string jit = Path.Combine(work, "jit"), aot = Path.Combine(work, "aot");
            string[] common = ["-c", "Release", "--artifacts-path", Path.Combine(work, "artifacts"), "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:TreatWarningsAsErrors=true"];
            Dotnet(root, ["build", project, "-o", jit, .. common]);

            // README's command: PublishAot and, on an x64 host, LinkerFlavor=lld are the project's own settings.
            ExternalProcess.Result publish = Dotnet(root, ["publish", project, "-r", "linux-arm64", "-o", aot, .. common]);
            Assert.Contains("Generating native code", publish.Output, StringComparison.Ordinal);
            string executable = Path.Combine(aot, "EmbeddedInference");
            Assert.False(File.Exists(Path.Combine(aot, "EmbeddedInference.dll")), "The publish folder holds IL: not a NativeAOT build.");
            Assert.Equal(0xB7, ElfMachine(executable)); // EM_AARCH64

            string[] files = ["--warm-up", "0"];
            ExternalProcess.Result x64 = ExternalProcess.Run(
                ExternalProcess.Dotnet, [Path.Combine(jit, "EmbeddedInference.dll"), "--predictions", "x64-predictions.txt", "--logits", "x64-logits.txt", .. files], work, Arm64.PublishTimeout);
            Assert.True(x64.ExitCode == 0, $"The x64 build failed:\n{x64.Output}");
            ExternalProcess.Result arm64 = Arm64.Run(executable, ["--predictions", "arm64-predictions.txt", "--logits", "arm64-logits.txt", .. files], work);
            output.WriteLine($"--- x64 JIT ---\n{x64.Output}--- ARM64 NativeAOT under qemu ({arm64.Elapsed.TotalSeconds:F0} s) ---\n{arm64.Output}");
            Assert.True(arm64.ExitCode == 0, $"The ARM64 build failed:\n{arm64.Output}");
            Assert.Contains("; NativeAOT, Vector128 (Arm64)", arm64.Output, StringComparison.Ordinal);
            Assert.Contains("kernels: Vector128 with FMA (Arm64)", arm64.Output, StringComparison.Ordinal);

            Assert.Equal(File.ReadAllLines(Path.Combine(work, "x64-predictions.txt")), File.ReadAllLines(Path.Combine(work, "arm64-predictions.txt")));
            double[][] expected = ReadLogits(Path.Combine(work, "x64-logits.txt")), actual = ReadLogits(Path.Combine(work, "arm64-logits.txt"));
            Assert.Equal(2000, expected.Length);
            Assert.Equal(expected.Length, actual.Length);
            double worst = 0;
            for (int image = 0; image < expected.Length; image++)
            {
                Assert.Equal(expected[image].Length, actual[image].Length);
                for (int index = 0; index < expected[image].Length; index++)
                {
                    double error = Math.Abs(actual[image][index] - expected[image][index]) / Math.Max(1, Math.Abs(expected[image][index]));
                    worst = Math.Max(worst, error);
                    Assert.True(error <= LogitTolerance, $"image {image}, logit {index}: ARM64 {actual[image][index]:R}, x64 {expected[image][index]:R}");
                }
            }

            output.WriteLine($"Largest logit difference, relative to max(1, |logit|): {worst:E2}");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static double[][] ReadLogits(string path) =>
        [.. File.ReadAllLines(path).Select(line => line.Split(' ').Select(value => double.Parse(value, CultureInfo.InvariantCulture)).ToArray())];

    /// <summary>e_machine of an ELF file (little-endian, offset 18).</summary>
    private static int ElfMachine(string path)
    {
        byte[] header = new byte[20];
        using FileStream file = File.OpenRead(path);
        file.ReadExactly(header);
        Assert.Equal("\u007fELF"u8.ToArray(), header[..4]);
        return header[18] | (header[19] << 8);
    }

    private ExternalProcess.Result Dotnet(string root, string[] arguments)
    {
        ExternalProcess.Result result = ExternalProcess.Run(ExternalProcess.Dotnet, arguments, root, Arm64.PublishTimeout);
        output.WriteLine($"dotnet {string.Join(' ', arguments)}: exit code {result.ExitCode}, {result.Elapsed.TotalSeconds:F0} s");
        Assert.True(result.ExitCode == 0, $"dotnet {arguments[0]} failed:\n{Arm64.Tail(result.Output)}");
        return result;
    }
}
