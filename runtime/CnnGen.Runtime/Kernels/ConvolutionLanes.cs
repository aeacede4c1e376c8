using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// The vector operations <see cref="IndirectGemm"/>'s tile needs, for one vector width (and, through
/// <see cref="IDotLanes{TVector}"/>, <see cref="GemmDot"/>'s dot products). The tile is written once against
/// this interface; a struct type argument makes the JIT compile it per width with every call inlined (as
/// <see cref="IGemmMicroKernel"/> does for the GEMM).
/// </summary>
internal interface IConvolutionLanes<TVector>
    where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Output pixels per tile: its 2 × Rows accumulators and 3 working vectors fit the register file.</summary>
    static abstract int Rows { get; }

    static abstract TVector Load(ref float source, nuint offset);

    static abstract TVector Broadcast(float value);

    /// <summary>left · right + addend, fused where the machine has FMA.</summary>
    static abstract TVector MultiplyAdd(TVector left, TVector right, TVector addend);

    static abstract TVector Add(TVector left, TVector right);

    static abstract void Store(TVector value, ref float destination, nuint offset);
}

/// <summary>AVX-512: 16 floats, 8-pixel tiles (16 of the 32 zmm registers hold accumulators).</summary>
internal readonly struct ConvolutionLanes512 : IDotLanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static int Rows => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> left, Vector512<float> right, Vector512<float> addend) =>
        Vector512.FusedMultiplyAdd(left, right, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    public static Vector512<float> AllBitsSet => Vector512<float>.AllBitsSet;

    public static Vector512<float> TailMask(int tail) =>
        Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(tail == 0 ? 0 : Count - tail)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> And(Vector512<float> left, Vector512<float> right) => left & right;

    /// <summary>Each vector's 16 lanes folded to 8, then <see cref="GemmDot.SumEach"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SumEach(
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3,
        Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7) =>
        GemmDot.SumEach(
            s0.GetLower() + s0.GetUpper(), s1.GetLower() + s1.GetUpper(), s2.GetLower() + s2.GetUpper(), s3.GetLower() + s3.GetUpper(),
            s4.GetLower() + s4.GetUpper(), s5.GetLower() + s5.GetUpper(), s6.GetLower() + s6.GetUpper(), s7.GetLower() + s7.GetUpper());
}

/// <summary>AVX2: 8 floats, 6-pixel tiles (12 of the 16 ymm registers hold accumulators).</summary>
internal readonly struct ConvolutionLanes256 : IDotLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static int Rows => 6;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    /// <summary>Fused where the machine has FMA; <c>Vector256.FusedMultiplyAdd</c> would be emulated in software without it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> left, Vector256<float> right, Vector256<float> addend) =>
        Fma.IsSupported ? Fma.MultiplyAdd(left, right, addend) : (left * right) + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    public static Vector256<float> AllBitsSet => Vector256<float>.AllBitsSet;

    public static Vector256<float> TailMask(int tail) =>
        Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(tail == 0 ? 0 : Count - tail)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> And(Vector256<float> left, Vector256<float> right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SumEach(
        Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3,
        Vector256<float> s4, Vector256<float> s5, Vector256<float> s6, Vector256<float> s7) =>
        GemmDot.SumEach(s0, s1, s2, s3, s4, s5, s6, s7);
}

/// <summary>Any other machine: 4 floats (software-emulated where Vector128 is not accelerated), 6-pixel tiles.</summary>
internal readonly struct ConvolutionLanes128 : IConvolutionLanes<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    public static int Rows => 6;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

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
    public static void Store(Vector128<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
}

/// <summary>How many vectors of output channels a tile holds per pixel: one or two, a JIT-time constant.</summary>
internal interface ITileVectors
{
    static abstract bool Two { get; }
}

internal readonly struct OneVector : ITileVectors
{
    public static bool Two => false;
}

internal readonly struct TwoVectors : ITileVectors
{
    public static bool Two => true;
}
