using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Copies a depth × width block of B into the layout the micro-kernel streams: panels of NR columns,
/// each depth × NR row-major and contiguous, so one depth step is NR consecutive floats.
/// </summary>
/// <remarks>
/// Panel q holds columns [q·NR, q·NR + NR) at <c>packed[q · depth · NR ..]</c>; columns past
/// <c>width</c> in the last panel are zero so the kernel can always compute full tiles.
/// B(p, j) is read at <c>b[p · depthStride + j · columnStride]</c>; one of the two strides is 1.
/// </remarks>
internal static class GemmPacking
{
    public static void PackB<TKernel>(int depth, int width, ref float b, nint depthStride, nint columnStride, ref float packed)
        where TKernel : struct, IGemmMicroKernel
    {
        if (columnStride == 1)
        {
            PackRowsOfB<TKernel>(depth, width, ref b, depthStride, ref packed);
            return;
        }

        int panelWidth = TKernel.Columns;
        for (int j0 = 0; j0 < width; j0 += panelWidth)
        {
            PackColumnsOfB<TKernel>(
                depth,
                Math.Min(panelWidth, width - j0),
                ref Unsafe.Add(ref b, j0 * columnStride),
                columnStride,
                ref Unsafe.Add(ref packed, (nint)j0 * depth));
        }
    }

    // B rows are contiguous (B is depth × n). Walking B row by row keeps the reads sequential (one
    // stream instead of a strided one per panel) and scatters each row into the panels.
    private static void PackRowsOfB<TKernel>(int depth, int width, ref float b, nint depthStride, ref float packed)
        where TKernel : struct, IGemmMicroKernel
    {
        int panelWidth = TKernel.Columns;
        nint panelSize = (nint)depth * panelWidth;
        int fullWidth = width - (width % panelWidth);
        for (int p = 0; p < depth; p++)
        {
            ref float row = ref Unsafe.Add(ref b, p * depthStride);
            ref float destination = ref Unsafe.Add(ref packed, (nint)p * panelWidth);
            int j = 0;
            for (; j < fullWidth; j += panelWidth)
            {
                // A constant-size block copy; the JIT turns it into a few vector moves.
                Unsafe.CopyBlockUnaligned(
                    ref Unsafe.As<float, byte>(ref destination),
                    ref Unsafe.As<float, byte>(ref Unsafe.Add(ref row, j)),
                    (uint)(TKernel.Columns * sizeof(float)));
                destination = ref Unsafe.Add(ref destination, panelSize);
            }

            if (j < width)
            {
                // Ragged last panel: zero the whole row with vector stores, then copy what exists.
                Unsafe.InitBlockUnaligned(ref Unsafe.As<float, byte>(ref destination), 0, (uint)(TKernel.Columns * sizeof(float)));
                for (int jj = 0; j + jj < width; jj++)
                {
                    Unsafe.Add(ref destination, jj) = Unsafe.Add(ref row, j + jj);
                }
            }
        }
    }

    // B is stored transposed (n × depth, depth contiguous): the panel is a transpose of NR source rows.
    private static void PackColumnsOfB<TKernel>(int depth, int columns, ref float source, nint columnStride, ref float panel)
        where TKernel : struct, IGemmMicroKernel
    {
        int panelWidth = TKernel.Columns;
        int p = 0;
        if (Avx.IsSupported && panelWidth % 8 == 0 && columns == panelWidth)
        {
            for (; p <= depth - 8; p += 8)
            {
                for (int j = 0; j < panelWidth; j += 8)
                {
                    Transpose8x8(
                        ref Unsafe.Add(ref source, (j * columnStride) + p),
                        columnStride,
                        ref Unsafe.Add(ref panel, ((nint)p * panelWidth) + j),
                        panelWidth,
                        accumulate: false);
                }
            }
        }

        for (; p < depth; p++)
        {
            ref float destination = ref Unsafe.Add(ref panel, (nint)p * panelWidth);
            if (columns < panelWidth)
            {
                Unsafe.InitBlockUnaligned(ref Unsafe.As<float, byte>(ref destination), 0, (uint)(TKernel.Columns * sizeof(float)));
            }

            for (int j = 0; j < columns; j++)
            {
                Unsafe.Add(ref destination, j) = Unsafe.Add(ref source, (j * columnStride) + p);
            }
        }
    }

    /// <summary>
    /// destination[r, c] (+)= source[c, r] for an 8 × 8 block: 8 loads, 24 in-register shuffles, 8 stores,
    /// instead of 64 scalar moves with strided stores. Requires AVX.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(ref float source, nint sourceStride, ref float destination, nint destinationStride, bool accumulate)
    {
        if (accumulate)
        {
            Transpose8x8(ref source, sourceStride, ref destination, destinationStride, 0, default(TransposedRows.Accumulate));
        }
        else
        {
            Transpose8x8(ref source, sourceStride, ref destination, destinationStride, 0, default(TransposedRows.Overwrite));
        }
    }

    /// <summary>
    /// The 8 × 8 block transpose, each destination row handed to <paramref name="rows"/> with its index
    /// <paramref name="firstRow"/> + r (what a per-row epilogue such as a bias is indexed by).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8<TRows>(
        ref float source, nint sourceStride, ref float destination, nint destinationStride, int firstRow, TRows rows)
        where TRows : struct, ITransposedRows, allows ref struct
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref source);
        Vector256<float> r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, sourceStride));
        Vector256<float> r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 2 * sourceStride));
        Vector256<float> r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 3 * sourceStride));
        Vector256<float> r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 4 * sourceStride));
        Vector256<float> r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 5 * sourceStride));
        Vector256<float> r6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 6 * sourceStride));
        Vector256<float> r7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 7 * sourceStride));

        // Interleave pairs of rows: t0 = [r00 r10 r01 r11 | r04 r14 r05 r15], ...
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        // Gather four rows per column within each 128-bit lane: s0 = [column 0 | column 4] of rows 0-3, ...
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        // Join the rows 0-3 and rows 4-7 halves of each column.
        rows.Store(Avx.Permute2x128(s0, s4, 0x20), ref destination, firstRow);
        rows.Store(Avx.Permute2x128(s1, s5, 0x20), ref Unsafe.Add(ref destination, destinationStride), firstRow + 1);
        rows.Store(Avx.Permute2x128(s2, s6, 0x20), ref Unsafe.Add(ref destination, 2 * destinationStride), firstRow + 2);
        rows.Store(Avx.Permute2x128(s3, s7, 0x20), ref Unsafe.Add(ref destination, 3 * destinationStride), firstRow + 3);
        rows.Store(Avx.Permute2x128(s0, s4, 0x31), ref Unsafe.Add(ref destination, 4 * destinationStride), firstRow + 4);
        rows.Store(Avx.Permute2x128(s1, s5, 0x31), ref Unsafe.Add(ref destination, 5 * destinationStride), firstRow + 5);
        rows.Store(Avx.Permute2x128(s2, s6, 0x31), ref Unsafe.Add(ref destination, 6 * destinationStride), firstRow + 6);
        rows.Store(Avx.Permute2x128(s3, s7, 0x31), ref Unsafe.Add(ref destination, 7 * destinationStride), firstRow + 7);
    }
}
