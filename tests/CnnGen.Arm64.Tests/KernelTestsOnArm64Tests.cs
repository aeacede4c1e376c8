using CnnGen.Integration.Tests.Support;
using Xunit.Abstractions;

namespace CnnGen.Arm64.Tests;

/// <summary>
/// The runtime's kernel tests (tests/CnnGen.Runtime.Tests/Kernels, through tests/CnnGen.KernelTestRunner) pass in a
/// self-contained linux-arm64 JIT build under qemu, where the kernels run at 128 bits with AdvSimd's fused
/// multiply-add: every micro-kernel (GEMM, dot products, implicit, direct, row and indirect convolution tiles, dense
/// panels, 4 × 4 transposes) against its naive oracle. Under emulation timings mean nothing; the width that ran does.
/// </summary>
public sealed class KernelTestsOnArm64Tests(ITestOutputHelper output)
{
    /// <summary>All of them (619 cases; about 4 minutes under qemu on 2 busy cores).</summary>
    [Arm64Fact]
    public void Kernel_tests_pass_on_arm64_at_128_bits_with_fma()
    {
        string root = Arm64.RepositoryRoot();
        string work = Directory.CreateTempSubdirectory("cnngen-arm64-kernels-").FullName;
        try
        {
            string runner = Path.Combine(work, "runner");
            ExternalProcess.Result publish = ExternalProcess.Run(
                ExternalProcess.Dotnet,
                [
                    "publish", Path.Combine(root, "tests", "CnnGen.KernelTestRunner", "CnnGen.KernelTestRunner.csproj"), "-c", "Release", "-r", "linux-arm64",
                    "--self-contained", "-o", runner, "--artifacts-path", Path.Combine(work, "artifacts"), "-nodeReuse:false", "-p:UseSharedCompilation=false",
                ],
                root,
                Arm64.PublishTimeout);
            output.WriteLine($"publish: exit code {publish.ExitCode}, {publish.Elapsed.TotalSeconds:F0} s");
            Assert.True(publish.ExitCode == 0, $"dotnet publish -r linux-arm64 failed:\n{Arm64.Tail(publish.Output)}");

            // W^X off: the JIT writes code through one mapping and runs it through another, which qemu-user does not
            // see as new code, so it would run stale translations (SIGILL at random points of the run). Emulation only.
            ExternalProcess.Result run = Arm64.Run(Path.Combine(runner, "CnnGen.KernelTestRunner"), [], work, "DOTNET_EnableWriteXorExecute=0");
            output.WriteLine($"qemu run: exit code {run.ExitCode}, {run.Elapsed.TotalSeconds:F0} s\n{Arm64.Tail(run.Output)}");
            Assert.True(run.ExitCode == 0, $"The kernel tests failed on ARM64:\n{Arm64.Tail(run.Output)}");
            Assert.Contains("Kernels: Vector128 with FMA (Arm64).", run.Output, StringComparison.Ordinal);
            Assert.Contains(" 0 failed", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
