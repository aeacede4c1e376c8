using BenchmarkDotNet.Running;
using CnnGen.Benchmarks;

// Everything, in one run (about an hour on 2 cores):
//   dotnet run -c Release --project tests/CnnGen.Benchmarks -- --filter '*'
// A quicker, rougher pass (3 iterations per case):
//   dotnet run -c Release --project tests/CnnGen.Benchmarks -- --filter '*' --job short
// One class or case: --filter '*Inference*', --filter '*Training*', --filter '*Convolution*', --filter '*FmaPeak*'.
// ResNet-8 (inference plain and frozen, training step): --filter '*ResNet*' ('*Inference*' and '*Training*'
// include it; '*.InferenceBenchmarks.*' and '*.TrainingBenchmarks.*' select LeNet-5 and the seed net only).
// docs/performance.md has the results and how to read them.
// libtorch's per-call tensors from glibc's heap, not fresh mappings (NativeHeap); inherited by every benchmark process.
NativeHeap.ConfigureChildProcesses();

string[] informational = ["--list", "--help", "-h", "-?", "--info", "--version"];
if (!args.Any(informational.Contains))
{
    // Fail before an hour of timing, not after it, if the engines do not compute the same thing.
    Preflight.Run();
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
