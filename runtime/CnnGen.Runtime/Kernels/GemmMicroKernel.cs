namespace CnnGen.Runtime.Kernels;

/// <summary>
/// A register-tiled GEMM micro-kernel: C[rows, Columns] (+)= A[rows, depth] · B[depth, Columns] with the
/// whole C tile held in vector registers for the full depth loop. <see cref="GemmDriver"/> is written once
/// against this interface and specialized per instruction set (struct type arguments are compiled apart),
/// and each kernel per row count (<see cref="ITileRows"/>): the vector kernels then do only a short tile's
/// own rows' work (the scalar one still computes absent rows on a copy of row 0 and drops them).
/// </summary>
internal interface IGemmMicroKernel
{
    /// <summary>MR: the most rows of C per tile, one broadcast of A per row and depth step.</summary>
    static abstract int Rows { get; }

    /// <summary>NR: columns of C per tile, a whole number of vectors; also the width of a packed B panel.</summary>
    static abstract int Columns { get; }

    /// <summary>
    /// Computes one tile of <typeparamref name="TRows"/> ≤ Rows rows over a depth of <paramref name="runs"/> ×
    /// <paramref name="depth"/>. A(i, r · depth + p) is at <c>a[i * aRowStride + r * aRunStride + p * aDepthStride]</c>,
    /// so both row-major A and transposed A are read in place, and so are the kernel rows of a convolution's patch,
    /// each a contiguous run of the input (a plain GEMM has one run). B(q, 0..Columns) is contiguous at
    /// <c>b[q * bDepthStride]</c> over the whole depth. The tile is written (or added, if
    /// <paramref name="accumulate"/>) at <c>c[i * cRowStride + j]</c> for its rows and all Columns.
    /// </summary>
    static abstract void Run<TRows>(
        nint depth,
        nint runs,
        nint aRunStride,
        ref float a,
        nint aRowStride,
        nint aDepthStride,
        ref float b,
        nint bDepthStride,
        ref float c,
        nint cRowStride,
        bool accumulate)
        where TRows : struct, ITileRows;

    /// <summary>
    /// Like <see cref="Run"/> but computes only the left Columns / 2 columns, for a ragged last panel
    /// that narrow (e.g. the 4 leftover columns of a 14 × 14 = 196 pixel plane). Columns past Columns / 2
    /// of the c tile may be overwritten, so c must be a scratch tile.
    /// </summary>
    static abstract void RunNarrow<TRows>(
        nint depth,
        nint runs,
        nint aRunStride,
        ref float a,
        nint aRowStride,
        nint aDepthStride,
        ref float b,
        nint bDepthStride,
        ref float c,
        nint cRowStride,
        bool accumulate)
        where TRows : struct, ITileRows;
}
