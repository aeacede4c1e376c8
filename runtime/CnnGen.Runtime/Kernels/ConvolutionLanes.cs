using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// The vector operations <see cref="IndirectGemm"/>'s tile needs, for one vector width. The tile is
/// written once against this interface; a struct type argument makes the JIT compile it per width with
/// every call inlined (as <see cref="IGemmMicroKernel"/> does for the GEMM).
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
internal readonly struct ConvolutionLanes512 : IConvolutionLanes<Vector512<float>>
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
}

/// <summary>AVX2: 8 floats, 6-pixel tiles (12 of the 16 ymm registers hold accumulators).</summary>
internal readonly struct ConvolutionLanes256 : IConvolutionLanes<Vector256<float>>
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
