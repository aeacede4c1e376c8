using CnnGen.Parity.Tests.Native;
using CnnGen.Runtime;
using TorchSharp;

namespace CnnGen.Benchmarks;

/// <summary>
/// Sets the intra-op thread count of every engine in the process: CnnGen's
/// <see cref="Parallelism.ThreadCount"/> and <c>torch.set_num_threads</c> here; ONNX Runtime takes
/// it per session (<see cref="OnnxInference"/>).
/// </summary>
internal static class BenchmarkThreads
{
    public static void Apply(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        Parallelism.ThreadCount = threads;
        LibTorchBootstrap.EnsureInitialized(); // patches and loads libtorch, and sets it to 1 thread
        torch.set_num_threads(threads);
    }
}
