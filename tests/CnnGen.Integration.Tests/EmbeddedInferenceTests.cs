using System.Globalization;
using System.Text.RegularExpressions;
using CnnGen.Integration.Tests.Support;
using CnnGen.Runtime.Data;
using Xunit.Abstractions;

namespace CnnGen.Integration.Tests;

/// <summary>
/// samples/EmbeddedInference published with NativeAOT for linux-x64 classifies the committed 2,000-image
/// Fashion-MNIST test subset exactly as its JIT build does, with the weights compiled in, and the
/// publish reports no trimming or AOT warning (from the program, the runtime or the generated code).
/// </summary>
/// <remarks>
/// Both builds go to a temporary directory (<c>--artifacts-path</c>), so the test neither touches nor
/// depends on the repository's bin/ and obj/ folders. The NativeAOT build targets the build machine's
/// instruction set (<c>IlcInstructionSet=native</c>): then it selects the same SIMD kernels as the JIT
/// (Vector512 or Vector256), the arithmetic is the same, and "identical predictions" is a fair
/// demand rather than luck. Skipped (visibly) only where NativeAOT cannot link: see
/// <see cref="NativeAotFactAttribute"/>. About a minute on 2 cores (build ~35 s, NativeAOT compile and
/// link ~15 s, the two runs ~1 s), plus the ILCompiler package download on a machine that lacks it.
/// </remarks>
public sealed partial class EmbeddedInferenceTests(ITestOutputHelper output)
{
    /// <summary>
    /// The committed weights (fashion-lenet.safetensors: LeNet-5 trained by samples/EmbeddedInference.Trainer,
    /// 10 epochs on all 60,000 training images) classify 92.0 % of the subset correctly; the bound leaves
    /// room for retrained weights, and is far above what a wrong kernel or layout would give (≈ 10 %).
    /// </summary>
    private const double MinimumAccuracy = 0.88;

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

    [NativeAotFact]
    public void NativeAotBinary_PredictsExactlyAsTheJitBuild_WithoutTrimmingOrAotWarnings()
    {
        string root = RepositoryRoot();
        string project = Path.Combine(root, "samples", "EmbeddedInference", "EmbeddedInference.csproj");
        string work = Directory.CreateTempSubdirectory("cnngen-embedded-").FullName;
        try
        {
            string artifacts = Path.Combine(work, "artifacts"), jit = Path.Combine(work, "jit"), aot = Path.Combine(work, "aot");
            string[] common = ["-c", "Release", "--artifacts-path", artifacts, "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:TreatWarningsAsErrors=true"];

            ExternalProcess.Result build = Dotnet(root, ["build", project, "-o", jit, .. common]);
            Assert.True(build.ExitCode == 0, $"dotnet build failed:\n{Tail(build.Output)}");

            // PublishAot=true is the project's own setting (on the command line it would reach the netstandard2.0 references too: NETSDK1207).
            string[] publishArguments = ["publish", project, "-r", "linux-x64", "-p:IlcInstructionSet=native", "-o", aot, .. common];
            if (!NativeAotToolchain.CanStripSymbols)
            {
                publishArguments = [.. publishArguments, "-p:StripSymbols=false"];
            }

            ExternalProcess.Result publish = Dotnet(root, publishArguments);
            Assert.True(publish.ExitCode == 0, $"dotnet publish (NativeAOT) failed:\n{Tail(publish.Output)}");
            Assert.Contains("Generating native code", publish.Output, StringComparison.Ordinal);
            string[] aotWarnings = [.. publish.Output.Split('\n').Where(line => TrimmingOrAotDiagnostic().IsMatch(line)).Select(line => line.Trim()).Distinct()];
            Assert.True(aotWarnings.Length == 0, $"The NativeAOT publish reported trimming/AOT diagnostics:\n{string.Join('\n', aotWarnings)}");

            string executable = Path.Combine(aot, "EmbeddedInference");
            Assert.True(File.Exists(executable), $"No executable at {executable}");
            Assert.False(File.Exists(Path.Combine(aot, "EmbeddedInference.dll")), "The publish folder holds IL: not a NativeAOT build.");
            Assert.Empty(Directory.GetFiles(aot, "*.safetensors", SearchOption.AllDirectories)); // compiled in, not shipped
            output.WriteLine($"NativeAOT executable: {new FileInfo(executable).Length:N0} bytes");

            string jitPredictions = Path.Combine(work, "jit-predictions.txt"), aotPredictions = Path.Combine(work, "aot-predictions.txt");
            ExternalProcess.Result jitRun = ExternalProcess.Run(
                ExternalProcess.Dotnet, [Path.Combine(jit, "EmbeddedInference.dll"), "--predictions", jitPredictions], work, RunTimeout);
            Assert.True(jitRun.ExitCode == 0, $"The JIT build failed:\n{jitRun.Output}");
            ExternalProcess.Result aotRun = ExternalProcess.Run(executable, ["--predictions", aotPredictions], work, RunTimeout);
            Assert.True(aotRun.ExitCode == 0, $"The NativeAOT build failed:\n{aotRun.Output}");
            output.WriteLine($"--- JIT build ---\n{jitRun.Output}--- NativeAOT build ---\n{aotRun.Output}");
            Assert.Contains("; JIT,", jitRun.Output, StringComparison.Ordinal);
            Assert.Contains("; NativeAOT,", aotRun.Output, StringComparison.Ordinal);

            int[] labels = [.. IdxReader.ReadLabels(Path.Combine(root, "samples", "data", "t10k-labels-idx1-ubyte.gz")).Select(label => (int)label)];
            int[] fromJit = ReadPredictions(jitPredictions), fromAot = ReadPredictions(aotPredictions);
            Assert.Equal(labels.Length, fromJit.Length);
            Assert.Equal(fromJit, fromAot);
            double accuracy = (double)labels.Where((label, index) => fromAot[index] == label).Count() / labels.Length;
            output.WriteLine($"Accuracy on the {labels.Length:N0} images: {accuracy:P2}; build {build.Elapsed.TotalSeconds:F0} s, publish {publish.Elapsed.TotalSeconds:F0} s");
            Assert.True(accuracy >= MinimumAccuracy, $"Accuracy {accuracy:P2} is below {MinimumAccuracy:P0}.");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    // ILLink/ILC diagnostics: IL2xxx trimming, IL3xxx AOT and single-file (as warnings, or errors under TreatWarningsAsErrors).
    [GeneratedRegex(@"\b(warning|error)\s+IL[23]\d{3}\b|AOT analysis warning|Trim analysis warning")]
    private static partial Regex TrimmingOrAotDiagnostic();

    private ExternalProcess.Result Dotnet(string root, string[] arguments)
    {
        ExternalProcess.Result result = ExternalProcess.Run(ExternalProcess.Dotnet, arguments, root, BuildTimeout);
        output.WriteLine($"dotnet {string.Join(' ', arguments)}: exit code {result.ExitCode}, {result.Elapsed.TotalSeconds:F0} s");
        return result;
    }

    private static int[] ReadPredictions(string path) =>
        [.. File.ReadAllLines(path).Select(line => int.Parse(line, CultureInfo.InvariantCulture))];

    private static string Tail(string text, int lines = 60) => string.Join('\n', text.Split('\n').TakeLast(lines));

    /// <summary>The directory holding CnnGen.sln, found upwards from the test assembly (bin/ is below tests/).</summary>
    private static string RepositoryRoot()
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
}
