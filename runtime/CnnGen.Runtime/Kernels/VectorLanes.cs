using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// The vector operations every micro-kernel is written against, for one vector width: the GEMM tile
/// (<see cref="GemmKernel{TLanes, TVector}"/>), the indirect convolution tile (<see cref="IndirectGemm"/>), the
/// dot products (<see cref="GemmDot"/>) and the dense panels (<see cref="DensePanels"/>). A kernel is written
/// once; a struct type argument makes the JIT (or ILC) compile it per width with every call inlined.
/// <see cref="VectorLanes.Bits"/> says which width this machine runs.
/// </summary>
internal interface ILanes<TVector>
    where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Rows of a register tile: its 2 × Rows accumulators and 3 working vectors fit the register file.</summary>
    static abstract int Rows { get; }

    static abstract TVector AllBitsSet { get; }

    static abstract TVector Load(ref float source, nuint offset);

    static abstract TVector Broadcast(float value);

    /// <summary>
    /// The float at <paramref name="source"/> in every lane, as one broadcast load where the processor has one. The
    /// caller pins the object <paramref name="source"/> points into: with AVX but not AVX2, Vector128's broadcast load
    /// takes a pointer (else the JIT builds the broadcast with a shuffle, which competes with the multiplies and adds).
    /// </summary>
    static abstract TVector LoadBroadcast(ref float source);

    /// <summary>left · right + addend, fused where the machine has FMA, else a multiply and an add.</summary>
    static abstract TVector MultiplyAdd(TVector left, TVector right, TVector addend);

    static abstract TVector Add(TVector left, TVector right);

    static abstract TVector Max(TVector left, TVector right);

    /// <summary>Whether every lane holds the same bits (unlike ==, +0 and −0 differ and a NaN equals its own bits).</summary>
    static abstract bool BitsEqual(TVector left, TVector right);

    static abstract TVector And(TVector left, TVector right);

    /// <summary>[max(a0, a1), max(a2, a3), …, max(b0, b1), max(b2, b3), …]: adjacent lanes' maxima, a's then b's (NaN propagates).</summary>
    static abstract TVector PairMaxima(TVector a, TVector b);

    /// <summary>
    /// The 2 × 2 windows of two rows of Count floats: stores their Count / 2 maxima, [max(t0, t1, b0, b1), max(t2, t3,
    /// b2, b3), …], at destination + offset (NaN propagates; the floats after them are not touched).
    /// </summary>
    static abstract void StoreWindowMaxima(TVector top, TVector bottom, ref float destination, nuint offset);

    static abstract void Store(TVector value, ref float destination, nuint offset);

    /// <summary>
    /// The mask of the overlapping last vector [k − Count, k) when k % Count = <paramref name="tail"/>: only
    /// its last <paramref name="tail"/> lanes, not yet summed (all lanes when tail is 0).
    /// </summary>
    static abstract TVector TailMask(int tail);

    /// <summary>[Σ lanes of s0, …, Σ lanes of s7].</summary>
    static abstract Vector256<float> SumEach(TVector s0, TVector s1, TVector s2, TVector s3, TVector s4, TVector s5, TVector s6, TVector s7);
}

/// <summary>Which vector width the kernels run on this machine, and whether their multiply-adds are fused.</summary>
public static class VectorLanes
{
    /// <summary>
    /// 512, 256 or 128: the widest hardware-accelerated vectors, which every kernel runs at (x86-64 has at
    /// least 128, Arm64 has 128); 0 only where not even <see cref="Vector128"/> is accelerated, where the
    /// kernels still run, on emulated vectors.
    /// </summary>
    public static int Bits { get; } =
        Vector512.IsHardwareAccelerated ? 512
        : Vector256.IsHardwareAccelerated ? 256
        : Vector128.IsHardwareAccelerated ? 128
        : 0;

    /// <summary>Whether the multiply-adds are fused (x86 FMA3, Arm AdvSimd); else each is a multiply and an add.</summary>
    public static bool FusedMultiplyAdd { get; } = Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>E.g. "Vector256 with FMA (x64)", "Vector128 with FMA (Arm64)", "Vector128 without FMA (x64)".</summary>
    public static string Description =>
        $"{(Bits == 0 ? "scalar" : "Vector" + Bits)} {(FusedMultiplyAdd ? "with" : "without")} FMA ({System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture})";
}

/// <summary>AVX-512: 16 floats, 8-row tiles (16 of the 32 zmm registers hold accumulators).</summary>
internal readonly struct Lanes512 : ILanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static int Rows => 8;

    public static Vector512<float> AllBitsSet => Vector512<float>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadBroadcast(ref float source) => Vector512.Create(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> left, Vector512<float> right, Vector512<float> addend) =>
        Vector512.FusedMultiplyAdd(left, right, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> left, Vector512<float> right) => Vector512.Max(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool BitsEqual(Vector512<float> left, Vector512<float> right) => Vector512.EqualsAll(left.AsUInt32(), right.AsUInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> And(Vector512<float> left, Vector512<float> right) => left & right;

    /// <summary>Each 64-bit lane's upper float onto its lower one, the maxima taken, the lower halves kept (a narrowing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> PairMaxima(Vector512<float> a, Vector512<float> b) =>
        Vector512.Narrow(
            Vector512.Max(a, Vector512.ShiftRightLogical(a.AsUInt64(), 32).AsSingle()).AsUInt64(),
            Vector512.Max(b, Vector512.ShiftRightLogical(b.AsUInt64(), 32).AsSingle()).AsUInt64()).AsSingle();

    /// <summary>
    /// The rows' maxima, each 64-bit lane's upper float moved onto its lower one and the maxima taken, the lower halves
    /// narrowed into a Vector256 (one <c>vpmovqd</c>; <c>Narrow(pairs, pairs).GetLower()</c> is two and an insert).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreWindowMaxima(Vector512<float> top, Vector512<float> bottom, ref float destination, nuint offset)
    {
        Vector512<float> rows = Vector512.Max(top, bottom);
        Vector512<ulong> pairs = Vector512.Max(rows, Vector512.ShiftRightLogical(rows.AsUInt64(), 32).AsSingle()).AsUInt64();
        (Avx512F.IsSupported ? Avx512F.ConvertToVector256UInt32(pairs) : Vector512.Narrow(pairs, pairs).GetLower()).AsSingle().StoreUnsafe(ref destination, offset);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    public static Vector512<float> TailMask(int tail) =>
        Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(tail == 0 ? 0 : Count - tail)).AsSingle();

    /// <summary>Each vector's 16 lanes folded to 8, then <see cref="Lanes256.SumEach"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SumEach(
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3,
        Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7) =>
        Lanes256.SumEach(
            s0.GetLower() + s0.GetUpper(), s1.GetLower() + s1.GetUpper(), s2.GetLower() + s2.GetUpper(), s3.GetLower() + s3.GetUpper(),
            s4.GetLower() + s4.GetUpper(), s5.GetLower() + s5.GetUpper(), s6.GetLower() + s6.GetUpper(), s7.GetLower() + s7.GetUpper());
}

/// <summary>AVX2: 8 floats, 6-row tiles (12 of the 16 ymm registers hold accumulators).</summary>
internal readonly struct Lanes256 : ILanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static int Rows => 6;

    public static Vector256<float> AllBitsSet => Vector256<float>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadBroadcast(ref float source) => Vector256.Create(source);

    /// <summary>Fused where the machine has FMA; <c>Vector256.FusedMultiplyAdd</c> would be emulated in software without it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> left, Vector256<float> right, Vector256<float> addend) =>
        Fma.IsSupported ? Fma.MultiplyAdd(left, right, addend) : (left * right) + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> left, Vector256<float> right) => Vector256.Max(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool BitsEqual(Vector256<float> left, Vector256<float> right) => Vector256.EqualsAll(left.AsUInt32(), right.AsUInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> And(Vector256<float> left, Vector256<float> right) => left & right;

    /// <summary>Each 64-bit lane's upper float onto its lower one, the maxima taken, the lower halves kept (a narrowing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> PairMaxima(Vector256<float> a, Vector256<float> b) =>
        Vector256.Narrow(
            Vector256.Max(a, Vector256.ShiftRightLogical(a.AsUInt64(), 32).AsSingle()).AsUInt64(),
            Vector256.Max(b, Vector256.ShiftRightLogical(b.AsUInt64(), 32).AsSingle()).AsUInt64()).AsSingle();

    /// <summary>As <see cref="Lanes512.StoreWindowMaxima"/>, narrowed into a Vector128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreWindowMaxima(Vector256<float> top, Vector256<float> bottom, ref float destination, nuint offset)
    {
        Vector256<float> rows = Vector256.Max(top, bottom);
        Vector256<ulong> pairs = Vector256.Max(rows, Vector256.ShiftRightLogical(rows.AsUInt64(), 32).AsSingle()).AsUInt64();
        (Avx512F.VL.IsSupported ? Avx512F.VL.ConvertToVector128UInt32(pairs) : Vector256.Narrow(pairs, pairs).GetLower()).AsSingle().StoreUnsafe(ref destination, offset);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    public static Vector256<float> TailMask(int tail) =>
        Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(tail == 0 ? 0 : Count - tail)).AsSingle();

    /// <summary>
    /// The lane sums of eight vectors as one vector [Σh0, …, Σh7], by a transposing tree of adds
    /// (8 unpacks, 4 shuffles, 2 lane permutes, 14 adds) rather than eight separate horizontal sums of
    /// about twice the work.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SumEach(
        Vector256<float> h0, Vector256<float> h1, Vector256<float> h2, Vector256<float> h3,
        Vector256<float> h4, Vector256<float> h5, Vector256<float> h6, Vector256<float> h7)
    {
        // Per 128-bit lane: [Σ h0 pairs, Σ h1 pairs, …] interleaved, then four vectors' sums side by side.
        Vector256<float> h01 = Avx.UnpackLow(h0, h1) + Avx.UnpackHigh(h0, h1);
        Vector256<float> h23 = Avx.UnpackLow(h2, h3) + Avx.UnpackHigh(h2, h3);
        Vector256<float> h45 = Avx.UnpackLow(h4, h5) + Avx.UnpackHigh(h4, h5);
        Vector256<float> h67 = Avx.UnpackLow(h6, h7) + Avx.UnpackHigh(h6, h7);
        Vector256<float> h0123 = Avx.Shuffle(h01, h23, 0x44) + Avx.Shuffle(h01, h23, 0xEE);
        Vector256<float> h4567 = Avx.Shuffle(h45, h67, 0x44) + Avx.Shuffle(h45, h67, 0xEE);

        // Each 128-bit lane holds half of every sum: add the lanes.
        return Avx.Permute2x128(h0123, h4567, 0x20) + Avx.Permute2x128(h0123, h4567, 0x31);
    }
}

/// <summary>
/// SSE and Arm AdvSimd: 4 floats. 8-row tiles with 32 vector registers (Arm64), 6-row tiles with 16 (x64 without AVX-512).
/// Software-emulated where Vector128 is not accelerated (correct, slow).
/// </summary>
internal readonly struct Lanes128 : ILanes<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    /// <summary>
    /// 8 where the register file has 32 vectors (Arm64; x64 with AVX-512, whose EVEX encoding reaches xmm16–31), else 6
    /// (x64's 16: 12 accumulators, two B vectors, a broadcast, and a product register where there is no FMA). Eight rows
    /// tile a 14-pixel row as 7 + 7, six as 5 + 5 + 4.
    /// </summary>
    public static int Rows => AdvSimd.Arm64.IsSupported || Avx512F.IsSupported ? 8 : 6;

    public static Vector128<float> AllBitsSet => Vector128<float>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    /// <summary>
    /// <c>vbroadcastss</c> from memory (a load alone) where there is AVX: the JIT emits it for <c>Vector128.Create</c>
    /// only with AVX2, and builds a load and a shuffle with AVX alone. SSE and AdvSimd: <c>Vector128.Create</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector128<float> LoadBroadcast(ref float source) =>
        Avx.IsSupported && !Avx2.IsSupported
            ? Avx.BroadcastScalarToVector128((float*)Unsafe.AsPointer(ref source))
            : Vector128.Create(source);

    /// <summary>
    /// Fused where the machine has FMA (x86 FMA3, Arm AdvSimd); elsewhere a multiply and an add, as
    /// <c>Vector128.FusedMultiplyAdd</c> would be emulated element by element in software (x86-64-v2:
    /// measured 1.3 ms instead of ≈ 0.1 ms for a LeNet-5 forward).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> left, Vector128<float> right, Vector128<float> addend) =>
        Fma.IsSupported || AdvSimd.IsSupported ? Vector128.FusedMultiplyAdd(left, right, addend) : (left * right) + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> left, Vector128<float> right) => Vector128.Max(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool BitsEqual(Vector128<float> left, Vector128<float> right) => Vector128.EqualsAll(left.AsUInt32(), right.AsUInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> And(Vector128<float> left, Vector128<float> right) => left & right;

    /// <summary>Each 64-bit lane's upper float onto its lower one, the maxima taken, the lower halves kept (a narrowing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> PairMaxima(Vector128<float> a, Vector128<float> b) =>
        Vector128.Narrow(
            Vector128.Max(a, Vector128.ShiftRightLogical(a.AsUInt64(), 32).AsSingle()).AsUInt64(),
            Vector128.Max(b, Vector128.ShiftRightLogical(b.AsUInt64(), 32).AsSingle()).AsUInt64()).AsSingle();

    /// <summary>As <see cref="Lanes512.StoreWindowMaxima"/>, narrowed into one 64-bit store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreWindowMaxima(Vector128<float> top, Vector128<float> bottom, ref float destination, nuint offset)
    {
        Vector128<float> rows = Vector128.Max(top, bottom);
        Vector128<ulong> pairs = Vector128.Max(rows, Vector128.ShiftRightLogical(rows.AsUInt64(), 32).AsSingle()).AsUInt64();
        Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref destination, offset)), Vector128.Narrow(pairs, pairs).AsUInt64().ToScalar());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    public static Vector128<float> TailMask(int tail) =>
        Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(tail == 0 ? 0 : Count - tail)).AsSingle();

    /// <summary>Two four-way pairwise-add trees (Arm <c>faddp</c>, x86 <c>haddps</c>), joined as the wider widths return them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SumEach(
        Vector128<float> s0, Vector128<float> s1, Vector128<float> s2, Vector128<float> s3,
        Vector128<float> s4, Vector128<float> s5, Vector128<float> s6, Vector128<float> s7) =>
        Vector256.Create(SumEach(s0, s1, s2, s3), SumEach(s4, s5, s6, s7));

    /// <summary>[Σ lanes of s0, …, Σ lanes of s3].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumEach(Vector128<float> s0, Vector128<float> s1, Vector128<float> s2, Vector128<float> s3)
    {
        if (AdvSimd.Arm64.IsSupported)
        {
            return AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(s0, s1), AdvSimd.Arm64.AddPairwise(s2, s3));
        }

        if (Sse3.IsSupported)
        {
            return Sse3.HorizontalAdd(Sse3.HorizontalAdd(s0, s1), Sse3.HorizontalAdd(s2, s3));
        }

        return Vector128.Create(Vector128.Sum(s0), Vector128.Sum(s1), Vector128.Sum(s2), Vector128.Sum(s3));
    }
}
