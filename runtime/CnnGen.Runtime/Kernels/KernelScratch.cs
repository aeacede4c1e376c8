using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Per-thread scratch memory for kernels that need a work area (packed GEMM panels, per-position
/// softmax reductions). Buffers grow on demand and are then reused, so a warm call allocates nothing;
/// <c>ArrayPool</c> is avoided because renting may allocate.
/// </summary>
internal static class KernelScratch
{
    [ThreadStatic]
    private static float[]? t_gemmPanel;

    [ThreadStatic]
    private static float[]? t_plane;

    [ThreadStatic]
    private static float[]? t_transposedProduct;

    [ThreadStatic]
    private static float[]? t_convolutionInput;

    [ThreadStatic]
    private static float[]? t_convolutionProduct;

    [ThreadStatic]
    private static int[]? t_tapOffsets;

    [ThreadStatic]
    private static nint[]? t_rowOffsets;

    /// <summary>
    /// At least <paramref name="length"/> floats for packed GEMM panels (512 KB per thread for the
    /// blocked driver), 64-byte aligned so that no Vector512 load of a packed row straddles two cache
    /// lines. Pinned, so the alignment holds for the array's lifetime. Contents are unspecified.
    /// </summary>
    public static ref float GemmPanel(int length) => ref MemoryMarshal.GetReference(CacheLineAligned(ref t_gemmPanel, length));

    /// <summary>
    /// Floats from the start of <paramref name="pinned"/> (a pinned array, so the answer holds for its lifetime)
    /// to its first 64-byte boundary: 0 to 15. An array 15 floats longer than needed has room to slide up.
    /// </summary>
    public static unsafe int FloatsToCacheLine(float[] pinned)
    {
        nint misalignment = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned)) & 63;
        return (int)((64 - misalignment) & 63) / sizeof(float);
    }

    /// <summary>At least <paramref name="length"/> floats; contents are unspecified.</summary>
    public static Span<float> Plane(int length) => AtLeast(ref t_plane, length);

    /// <summary>At least <paramref name="length"/> floats for a product computed transposed (<see cref="GemmTransposed"/>).</summary>
    public static Span<float> TransposedProduct(int length) => AtLeast(ref t_transposedProduct, length);

    /// <summary>At least <paramref name="length"/> floats for a convolution's bordered channels-last input (<see cref="ImplicitConvolution"/>).</summary>
    public static Span<float> ConvolutionInput(int length) => AtLeast(ref t_convolutionInput, length);

    /// <summary>
    /// At least <paramref name="length"/> floats for a convolution's pixel-major product (<see cref="ImplicitConvolution"/>)
    /// or its weight gradient's pixel-major output gradient, 64-byte aligned as <see cref="GemmPanel"/>: the weight
    /// gradient's tiles load two vectors of it per step, and on the seed net's conv2 they ran 3–4 % faster aligned
    /// (6.66 → 6.39 ms a batch with its data in cache, in one process, interleaved; about 1.5 % with the inputs coming
    /// from memory).
    /// </summary>
    public static Span<float> ConvolutionProduct(int length) => CacheLineAligned(ref t_convolutionProduct, length);

    /// <summary>At least <paramref name="length"/> ints for a convolution's tap offsets (<see cref="DirectConvolution"/>).</summary>
    public static Span<int> TapOffsets(int length) => AtLeast(ref t_tapOffsets, length);

    /// <summary>At least <paramref name="length"/> row offsets for an indirect GEMM's tiles (<see cref="IndirectGemm"/>).</summary>
    public static Span<nint> RowOffsets(int length) => AtLeast(ref t_rowOffsets, length);

    // length floats of buffer from its first 64-byte boundary, grown (uninitialized, pinned, 15 floats spare) when shorter.
    private static Span<float> CacheLineAligned(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length + 15)
        {
            buffer = GC.AllocateUninitializedArray<float>(length + 15, pinned: true);
        }

        return buffer.AsSpan(FloatsToCacheLine(buffer), length);
    }

    // The first length elements of buffer, grown (uninitialized) when shorter.
    private static Span<T> AtLeast<T>(ref T[]? buffer, int length)
        where T : unmanaged
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<T>(length);
        }

        return buffer.AsSpan(0, length);
    }
}
