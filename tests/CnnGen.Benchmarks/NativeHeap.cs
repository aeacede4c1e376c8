namespace CnnGen.Benchmarks;

/// <summary>
/// glibc's malloc settings for the benchmark processes, set in the host's environment, which BenchmarkDotNet's
/// child processes inherit (glibc reads them when a process starts, so the host itself is not changed).
/// </summary>
/// <remarks>
/// libtorch allocates every output and gradient tensor afresh (3.2 MB for the seed conv2's output). With glibc's
/// defaults a block that large can be mapped and unmapped on every call, or handed back when the heap is trimmed,
/// and its pages faulted in again — slow on this virtual machine. Measured on the seed conv2 at 1 thread, one process
/// per case, `--job short` (2026-12-07, 21:40–22:05 UTC, load average 4–12): without these settings libtorch's
/// forward took 42.5, 54.0, 56.3, 62.0 and 10.8 ms in five runs (its slow mode, 9–13 % of the FMA peak); with
/// them 13.2, 10.0, 13.8, 16.4 and 11.0 ms in five. Forward + backward is not shown either way: 52.2, 59.1, 32.3,
/// 35.7, 19.3 ms without, 19.6, 25.1, 20.3, 28.5, 39.7 ms with. The forward is still not at libtorch's best
/// (≈ 6.7 ms once), so something else remains. PyTorch's own CPU tuning guide recommends a caching allocator
/// (jemalloc, tcmalloc) for the same reason. CnnGen and ONNX Runtime allocate nothing per call.
/// A variable the caller has set is kept.
/// </remarks>
internal static class NativeHeap
{
    private static readonly (string Name, string Value)[] Settings =
    [
        ("MALLOC_MMAP_THRESHOLD_", "1073741824"), // blocks up to 1 GB from the heap, not mmap/munmap per call
        ("MALLOC_TRIM_THRESHOLD_", "4294967296"), // the heap's free top is not handed back to the kernel
        ("MALLOC_TOP_PAD_", "268435456"), // the heap grows 256 MB at a time
    ];

    public static void ConfigureChildProcesses()
    {
        foreach ((string name, string value) in Settings)
        {
            if (Environment.GetEnvironmentVariable(name) is null)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
