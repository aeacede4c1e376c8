using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime.Kernels;

/// <summary>A square block transpose in registers, for <see cref="MatrixTranspose"/>: 8 × 8 with AVX, 4 × 4 with SSE or Arm64 AdvSimd.</summary>
internal interface ITransposeBlock
{
    /// <summary>Rows (and columns) of the block.</summary>
    static abstract int Size { get; }

    static abstract bool IsSupported { get; }

    /// <summary>
    /// destination[r, c] = source[c, r] for one block, each destination row handed to <paramref name="rows"/> with its
    /// index <paramref name="firstRow"/> + r (what a per-row epilogue such as a bias is indexed by).
    /// </summary>
    static abstract void Transpose<TRows>(ref float source, nint sourceStride, ref float destination, nint destinationStride, int firstRow, TRows rows)
        where TRows : struct, ITransposedRows, allows ref struct;
}

/// <summary>8 × 8 with AVX: 8 loads, 24 in-register shuffles, 8 stores, instead of 64 scalar moves with strided stores.</summary>
internal readonly struct TransposeBlock8 : ITransposeBlock
{
    public static int Size => 8;

    public static bool IsSupported => Avx.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose<TRows>(ref float source, nint sourceStride, ref float destination, nint destinationStride, int firstRow, TRows rows)
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

/// <summary>4 × 4 with SSE (x86-64 without AVX) or Arm64 AdvSimd: 4 loads, 8 shuffles, 4 stores.</summary>
internal readonly struct TransposeBlock4 : ITransposeBlock
{
    public static int Size => 4;

    public static bool IsSupported => Sse.IsSupported || AdvSimd.Arm64.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose<TRows>(ref float source, nint sourceStride, ref float destination, nint destinationStride, int firstRow, TRows rows)
        where TRows : struct, ITransposedRows, allows ref struct
    {
        Vector128<float> r0 = Vector128.LoadUnsafe(ref source);
        Vector128<float> r1 = Vector128.LoadUnsafe(ref Unsafe.Add(ref source, sourceStride));
        Vector128<float> r2 = Vector128.LoadUnsafe(ref Unsafe.Add(ref source, 2 * sourceStride));
        Vector128<float> r3 = Vector128.LoadUnsafe(ref Unsafe.Add(ref source, 3 * sourceStride));

        // Interleave pairs of rows, t0 = [r00 r10 r01 r11], t1 = [r02 r12 r03 r13], ...; then join their 64-bit halves.
        Vector128<float> t0 = InterleaveLow(r0, r1), t1 = InterleaveHigh(r0, r1);
        Vector128<float> t2 = InterleaveLow(r2, r3), t3 = InterleaveHigh(r2, r3);
        rows.Store(InterleaveLow(t0.AsDouble(), t2.AsDouble()).AsSingle(), ref destination, firstRow);
        rows.Store(InterleaveHigh(t0.AsDouble(), t2.AsDouble()).AsSingle(), ref Unsafe.Add(ref destination, destinationStride), firstRow + 1);
        rows.Store(InterleaveLow(t1.AsDouble(), t3.AsDouble()).AsSingle(), ref Unsafe.Add(ref destination, 2 * destinationStride), firstRow + 2);
        rows.Store(InterleaveHigh(t1.AsDouble(), t3.AsDouble()).AsSingle(), ref Unsafe.Add(ref destination, 3 * destinationStride), firstRow + 3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> InterleaveLow(Vector128<float> left, Vector128<float> right) =>
        Sse.IsSupported ? Sse.UnpackLow(left, right) : AdvSimd.Arm64.ZipLow(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> InterleaveHigh(Vector128<float> left, Vector128<float> right) =>
        Sse.IsSupported ? Sse.UnpackHigh(left, right) : AdvSimd.Arm64.ZipHigh(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> InterleaveLow(Vector128<double> left, Vector128<double> right) =>
        Sse2.IsSupported ? Sse2.UnpackLow(left, right) : AdvSimd.Arm64.ZipLow(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> InterleaveHigh(Vector128<double> left, Vector128<double> right) =>
        Sse2.IsSupported ? Sse2.UnpackHigh(left, right) : AdvSimd.Arm64.ZipHigh(left, right);
}
