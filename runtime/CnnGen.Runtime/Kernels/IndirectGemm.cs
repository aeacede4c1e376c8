using System.Runtime.CompilerServices;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// The register tile of the convolution kernels that read one operand through a table of offsets
/// (an indirect GEMM): C[r, 0..V) (+)= Σ_t A[rowOffset(r) + step(t)] · B[t, 0..V) for up to
/// <see cref="ILanes{TVector}.Rows"/> rows r and V = one or two vectors of columns — or, with
/// <see cref="TableAddressesB"/>, Σ_t A[rowOffset(r) + t] · B[step(t) + 0..V). The C tile stays in registers
/// for the whole depth; each step loads B's row once and broadcasts one A value per row.
/// </summary>
/// <remarks>
/// <see cref="DirectConvolution"/>: rows are output pixels, steps the patch's taps, B the packed weights, so C
/// is the pixel-major output. <see cref="ImplicitConvolution.AccumulateWeightGradient"/>: rows are patch
/// entries, steps the output pixels, B the pixel-major output gradient, so C is the transposed weight
/// gradient. <see cref="RowConvolution"/> (table addresses B): rows are output channels, A the weights as
/// they are, steps the taps, B a run of input pixels along a row, so C is the planar output.
/// </remarks>
internal static class IndirectGemm
{
    /// <summary>
    /// One tile of <paramref name="rows"/> ≤ TLanes.Rows rows: row r reads A at <c>a[rowOffsets[r] + steps[t]]</c>,
    /// step t reads B at <c>b[t · bStride]</c>, and row r of C is at <c>c[r · stride]</c> — written, or added to
    /// if <paramref name="accumulate"/>.
    /// </summary>
    public static void Tile<TLanes, TVector, TVectors>(
        int rows, ref float a, ReadOnlySpan<nint> rowOffsets, ref int steps, int depth, ref float b, nint bStride, ref float c, nint stride, bool accumulate)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
        where TVectors : struct, ITileVectors =>
        Tile<TLanes, TVector, TVectors, TableAddressesA>(rows, ref a, rowOffsets, ref steps, depth, ref b, bStride, ref c, stride, accumulate);

    /// <summary>
    /// The same tile with the step table chosen by <typeparamref name="TTable"/>: <see cref="TableAddressesB"/>
    /// reads row r of A at <c>a[rowOffsets[r] + t]</c> and step t of B at <c>b[steps[t]]</c> (no
    /// <paramref name="bStride"/>).
    /// </summary>
    public static unsafe void Tile<TLanes, TVector, TVectors, TTable>(
        int rows, ref float a, ReadOnlySpan<nint> rowOffsets, ref int steps, int depth, ref float b, nint bStride, ref float c, nint stride, bool accumulate)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
        where TVectors : struct, ITileVectors
        where TTable : struct, IStepTable
    {
        // A pinned for TLanes.LoadBroadcast: every row offset is into the same object.
        fixed (float* pinned = &a)
        {
            Dispatch<TLanes, TVector, TVectors, TTable>(rows, ref a, rowOffsets, ref steps, depth, ref b, bStride, ref c, stride, accumulate);
        }
    }

    private static void Dispatch<TLanes, TVector, TVectors, TTable>(
        int rows, ref float a, ReadOnlySpan<nint> rowOffsets, ref int steps, int depth, ref float b, nint bStride, ref float c, nint stride, bool accumulate)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
        where TVectors : struct, ITileVectors
        where TTable : struct, IStepTable
    {
        switch (rows)
        {
            case 1: Tile<TLanes, TVector, TVectors, TTable, TileRows1>(ref a, rowOffsets, ref steps, depth, ref b, bStride, ref c, stride, accumulate); break;
            case 2: Tile<TLanes, TVector, TVectors, TTable, TileRows2>(ref a, rowOffsets, ref steps, depth, ref b, bStride, ref c, stride, accumulate); break;
            case 3: Tile<TLanes, TVector, TVectors, TTable, TileRows3>(ref a, rowOffsets, ref steps, depth, ref b, bStride, ref c, stride, accumulate); break;
            case 4: Tile<TLanes, TVector, TVectors, TTable, TileRows4>(ref a, rowOffsets, ref steps, depth, ref b, bStride, ref c, stride, accumulate); break;
            case 5: Tile<TLanes, TVector, TVectors, TTable, TileRows5>(ref a, rowOffsets, ref steps, depth, ref b, bStride, ref c, stride, accumulate); break;
            case 6: Tile<TLanes, TVector, TVectors, TTable, TileRows6>(ref a, rowOffsets, ref steps, depth, ref b, bStride, ref c, stride, accumulate); break;
            case 7: Tile<TLanes, TVector, TVectors, TTable, TileRows7>(ref a, rowOffsets, ref steps, depth, ref b, bStride, ref c, stride, accumulate); break;
            default: Tile<TLanes, TVector, TVectors, TTable, TileRows8>(ref a, rowOffsets, ref steps, depth, ref b, bStride, ref c, stride, accumulate); break;
        }
    }

    /// <summary>One tile of TRows rows; every <c>rows &gt; r</c> and <c>two</c> test is a JIT-time constant.</summary>
    private static void Tile<TLanes, TVector, TVectors, TTable, TRows>(
        ref float a, ReadOnlySpan<nint> rowOffsets, ref int steps, int depth, ref float b, nint bStride, ref float c, nint stride, bool accumulate)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
        where TVectors : struct, ITileVectors
        where TTable : struct, IStepTable
        where TRows : struct, ITileRows
    {
        int rows = TRows.Count;
        bool two = TVectors.Two;
        nuint second = (nuint)TLanes.Count;
        ref float a0 = ref Unsafe.Add(ref a, rowOffsets[0]);
        ref float a1 = ref rows > 1 ? ref Unsafe.Add(ref a, rowOffsets[1]) : ref a0;
        ref float a2 = ref rows > 2 ? ref Unsafe.Add(ref a, rowOffsets[2]) : ref a0;
        ref float a3 = ref rows > 3 ? ref Unsafe.Add(ref a, rowOffsets[3]) : ref a0;
        ref float a4 = ref rows > 4 ? ref Unsafe.Add(ref a, rowOffsets[4]) : ref a0;
        ref float a5 = ref rows > 5 ? ref Unsafe.Add(ref a, rowOffsets[5]) : ref a0;
        ref float a6 = ref rows > 6 ? ref Unsafe.Add(ref a, rowOffsets[6]) : ref a0;
        ref float a7 = ref rows > 7 ? ref Unsafe.Add(ref a, rowOffsets[7]) : ref a0;

        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        TVector c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;

        // Walk the step table and the rows of B (or A's columns) by pointer: no index arithmetic beside the FMAs.
        bool tableAddressesB = TTable.AddressesB;
        ref int stepEnd = ref Unsafe.Add(ref steps, depth);
        ref float w = ref b;
        nint column = 0;
        for (; Unsafe.IsAddressLessThan(ref steps, ref stepEnd); steps = ref Unsafe.Add(ref steps, 1))
        {
            nint tap;
            if (tableAddressesB)
            {
                w = ref Unsafe.Add(ref b, steps);
                tap = column++;
            }
            else
            {
                tap = steps;
            }

            TVector b0 = TLanes.Load(ref w, 0);
            TVector b1 = two ? TLanes.Load(ref w, second) : default;
            if (!tableAddressesB)
            {
                w = ref Unsafe.Add(ref w, bStride);
            }

            TVector x = TLanes.LoadBroadcast(ref Unsafe.Add(ref a0, tap));
            c00 = TLanes.MultiplyAdd(x, b0, c00);
            if (two)
            {
                c01 = TLanes.MultiplyAdd(x, b1, c01);
            }
            if (rows > 1)
            {
                x = TLanes.LoadBroadcast(ref Unsafe.Add(ref a1, tap));
                c10 = TLanes.MultiplyAdd(x, b0, c10);
                if (two)
                {
                    c11 = TLanes.MultiplyAdd(x, b1, c11);
                }
            }

            if (rows > 2)
            {
                x = TLanes.LoadBroadcast(ref Unsafe.Add(ref a2, tap));
                c20 = TLanes.MultiplyAdd(x, b0, c20);
                if (two)
                {
                    c21 = TLanes.MultiplyAdd(x, b1, c21);
                }
            }

            if (rows > 3)
            {
                x = TLanes.LoadBroadcast(ref Unsafe.Add(ref a3, tap));
                c30 = TLanes.MultiplyAdd(x, b0, c30);
                if (two)
                {
                    c31 = TLanes.MultiplyAdd(x, b1, c31);
                }
            }

            if (rows > 4)
            {
                x = TLanes.LoadBroadcast(ref Unsafe.Add(ref a4, tap));
                c40 = TLanes.MultiplyAdd(x, b0, c40);
                if (two)
                {
                    c41 = TLanes.MultiplyAdd(x, b1, c41);
                }
            }

            if (rows > 5)
            {
                x = TLanes.LoadBroadcast(ref Unsafe.Add(ref a5, tap));
                c50 = TLanes.MultiplyAdd(x, b0, c50);
                if (two)
                {
                    c51 = TLanes.MultiplyAdd(x, b1, c51);
                }
            }

            if (rows > 6)
            {
                x = TLanes.LoadBroadcast(ref Unsafe.Add(ref a6, tap));
                c60 = TLanes.MultiplyAdd(x, b0, c60);
                if (two)
                {
                    c61 = TLanes.MultiplyAdd(x, b1, c61);
                }
            }

            if (rows > 7)
            {
                x = TLanes.LoadBroadcast(ref Unsafe.Add(ref a7, tap));
                c70 = TLanes.MultiplyAdd(x, b0, c70);
                if (two)
                {
                    c71 = TLanes.MultiplyAdd(x, b1, c71);
                }
            }
        }

        Store<TLanes, TVector, TVectors>(c00, c01, ref c, accumulate);
        if (rows > 1)
        {
            Store<TLanes, TVector, TVectors>(c10, c11, ref Unsafe.Add(ref c, stride), accumulate);
        }

        if (rows > 2)
        {
            Store<TLanes, TVector, TVectors>(c20, c21, ref Unsafe.Add(ref c, 2 * stride), accumulate);
        }

        if (rows > 3)
        {
            Store<TLanes, TVector, TVectors>(c30, c31, ref Unsafe.Add(ref c, 3 * stride), accumulate);
        }

        if (rows > 4)
        {
            Store<TLanes, TVector, TVectors>(c40, c41, ref Unsafe.Add(ref c, 4 * stride), accumulate);
        }

        if (rows > 5)
        {
            Store<TLanes, TVector, TVectors>(c50, c51, ref Unsafe.Add(ref c, 5 * stride), accumulate);
        }

        if (rows > 6)
        {
            Store<TLanes, TVector, TVectors>(c60, c61, ref Unsafe.Add(ref c, 6 * stride), accumulate);
        }

        if (rows > 7)
        {
            Store<TLanes, TVector, TVectors>(c70, c71, ref Unsafe.Add(ref c, 7 * stride), accumulate);
        }
    }

    /// <summary>
    /// Writes one row of the tile, or adds it to what is there: the sum over the depth is formed apart and
    /// added once, so a long accumulation (a weight gradient over many samples) rounds as a sum of sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TLanes, TVector, TVectors>(TVector first, TVector second, ref float destination, bool accumulate)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
        where TVectors : struct, ITileVectors
    {
        nuint offset = (nuint)TLanes.Count;
        if (accumulate)
        {
            first = TLanes.Add(TLanes.Load(ref destination, 0), first);
            second = TVectors.Two ? TLanes.Add(TLanes.Load(ref destination, offset), second) : second;
        }

        TLanes.Store(first, ref destination, 0);
        if (TVectors.Two)
        {
            TLanes.Store(second, ref destination, offset);
        }
    }
}

/// <summary>Which operand <see cref="IndirectGemm"/>'s step table addresses: a JIT-time constant.</summary>
internal interface IStepTable
{
    static abstract bool AddressesB { get; }
}

/// <summary>Step t reads A at <c>rowOffset(r) + steps[t]</c>; B's rows follow at a fixed stride.</summary>
internal readonly struct TableAddressesA : IStepTable
{
    public static bool AddressesB => false;
}

/// <summary>Step t reads B's row at <c>steps[t]</c>; A's rows are read in order, <c>rowOffset(r) + t</c>.</summary>
internal readonly struct TableAddressesB : IStepTable
{
    public static bool AddressesB => true;
}
