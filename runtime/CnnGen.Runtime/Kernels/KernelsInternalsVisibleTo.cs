using System.Runtime.CompilerServices;

// The kernel tests drive every width's micro-kernels directly, so the 256- and 128-bit ones are
// verified on AVX-512 machines too, not only where they would be selected.
[assembly: InternalsVisibleTo("CnnGen.Runtime.Tests")]

// The same tests compiled into a console program that runs them self-contained on other architectures (ARM64 under qemu).
[assembly: InternalsVisibleTo("CnnGen.KernelTestRunner")]

// The benchmarks measure each width's roof through the kernels' own multiply-add (ILanes).
[assembly: InternalsVisibleTo("CnnGen.Benchmarks")]
