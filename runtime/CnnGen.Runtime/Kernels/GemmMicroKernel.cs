namespace CnnGen.Runtime.Kernels;

/// <summary>
/// A register-tiled GEMM micro-kernel: C[Rows, Columns] (+)= A[Rows, depth] · B[depth, Columns] with the
/// whole C tile held in vector registers for the full depth loop. <see cref="GemmDriver"/> is written once
/// against this interface and specialized per instruction set (struct type arguments are compiled apart).
/// </summary>
internal interface IGemmMicroKernel
{
    /// <summary>MR: rows of C per tile, one broadcast of A per row and depth step.</summary>
    static abstract int Rows { get; }

    /// <summary>NR: columns of C per tile, a whole number of vectors; also the width of a packed B panel.</summary>
    static abstract int Columns { get; }

    /// <summary>
    /// Computes one tile of <paramref name="rows"/> ≤ Rows rows. A(i, p) is at
    /// <c>a[i * aRowStride + p * aDepthStride]</c>, so both row-major A and transposed A are read in place;
    /// rows at or past <paramref name="rows"/> re-read row 0 instead of running off the end of A, and their
    /// results are dropped. B(p, 0..Columns) is contiguous at <c>b[p * bDepthStride]</c>. The tile is
    /// written (or added, if <paramref name="accumulate"/>) at <c>c[i * cRowStride + j]</c> for
    /// i &lt; <paramref name="rows"/> and all Columns; C rows past <paramref name="rows"/> are not touched.
    /// </summary>
    static abstract void Run(
        nint depth,
        ref float a,
        nint aRowStride,
        nint aDepthStride,
        int rows,
        ref float b,
        nint bDepthStride,
        ref float c,
        nint cRowStride,
        bool accumulate);

    /// <summary>
    /// Like <see cref="Run"/> but computes only the left Columns / 2 columns, for a ragged last panel
    /// that narrow (e.g. the 4 leftover columns of a 14 × 14 = 196 pixel plane). Columns past Columns / 2
    /// of the c tile may be overwritten, so c must be a scratch tile.
    /// </summary>
    static abstract void RunNarrow(
        nint depth,
        ref float a,
        nint aRowStride,
        nint aDepthStride,
        int rows,
        ref float b,
        nint bDepthStride,
        ref float c,
        nint cRowStride,
        bool accumulate);
}
