using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// The vector operations <see cref="GemmDot"/>'s dot products need, for one vector width: written once
/// against this interface, compiled per width through a struct type argument.
/// </summary>
internal interface IDotLanes<TVector>
    where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    static abstract TVector AllBitsSet { get; }

    /// <summary>
    /// The mask of the overlapping last vector [k − Count, k) when k % Count = <paramref name="tail"/>: only
    /// its last <paramref name="tail"/> lanes, not yet summed (all lanes when tail is 0).
    /// </summary>
    static abstract TVector TailMask(int tail);

    static abstract TVector Load(ref float source, nuint offset);

    static abstract TVector And(TVector left, TVector right);

    static abstract TVector MultiplyAdd(TVector left, TVector right, TVector addend);

    /// <summary>[Σ lanes of s0, …, Σ lanes of s7].</summary>
    static abstract Vector256<float> SumEach(TVector s0, TVector s1, TVector s2, TVector s3, TVector s4, TVector s5, TVector s6, TVector s7);
}

/// <summary>AVX-512: 16 floats.</summary>
internal readonly struct DotLanes512 : IDotLanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static Vector512<float> AllBitsSet => Vector512<float>.AllBitsSet;

    public static Vector512<float> TailMask(int tail) =>
        Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(tail == 0 ? 0 : Count - tail)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> And(Vector512<float> left, Vector512<float> right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> left, Vector512<float> right, Vector512<float> addend) =>
        Vector512.FusedMultiplyAdd(left, right, addend);

    /// <summary>Each vector's 16 lanes folded to 8, then <see cref="GemmDot.SumEach"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SumEach(
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3,
        Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7) =>
        GemmDot.SumEach(
            s0.GetLower() + s0.GetUpper(), s1.GetLower() + s1.GetUpper(), s2.GetLower() + s2.GetUpper(), s3.GetLower() + s3.GetUpper(),
            s4.GetLower() + s4.GetUpper(), s5.GetLower() + s5.GetUpper(), s6.GetLower() + s6.GetUpper(), s7.GetLower() + s7.GetUpper());
}

/// <summary>AVX2 + FMA: 8 floats (<see cref="GemmDot.Pays"/> takes this width only where FMA exists).</summary>
internal readonly struct DotLanes256 : IDotLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static Vector256<float> AllBitsSet => Vector256<float>.AllBitsSet;

    public static Vector256<float> TailMask(int tail) =>
        Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(tail == 0 ? 0 : Count - tail)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> And(Vector256<float> left, Vector256<float> right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> left, Vector256<float> right, Vector256<float> addend) =>
        Fma.IsSupported ? Fma.MultiplyAdd(left, right, addend) : (left * right) + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SumEach(
        Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3,
        Vector256<float> s4, Vector256<float> s5, Vector256<float> s6, Vector256<float> s7) =>
        GemmDot.SumEach(s0, s1, s2, s3, s4, s5, s6, s7);
}
