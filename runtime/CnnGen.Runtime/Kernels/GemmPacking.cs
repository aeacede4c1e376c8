using System.Runtime.CompilerServices;

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

    // B is stored transposed (n × depth, depth contiguous): a whole panel is a transpose of NR source rows.
    private static void PackColumnsOfB<TKernel>(int depth, int columns, ref float source, nint columnStride, ref float panel)
        where TKernel : struct, IGemmMicroKernel
    {
        int panelWidth = TKernel.Columns;
        if (columns == panelWidth)
        {
            MatrixTranspose.Into(columns, depth, ref source, columnStride, ref panel, panelWidth, accumulate: false);
            return;
        }

        for (int p = 0; p < depth; p++)
        {
            ref float destination = ref Unsafe.Add(ref panel, (nint)p * panelWidth);
            Unsafe.InitBlockUnaligned(ref Unsafe.As<float, byte>(ref destination), 0, (uint)(TKernel.Columns * sizeof(float)));
            for (int j = 0; j < columns; j++)
            {
                Unsafe.Add(ref destination, j) = Unsafe.Add(ref source, (j * columnStride) + p);
            }
        }
    }
}
