using System.Runtime.CompilerServices;

// The kernel tests drive the AVX2 and scalar GEMM micro-kernels directly, so those fallbacks are
// verified on AVX-512 machines too, not only where they would be selected.
[assembly: InternalsVisibleTo("CnnGen.Runtime.Tests")]
