using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Copy and add of one short row segment, for generated im2col and col2im, which move thousands of
/// rows of 5–32 floats per sample. Inlined with the constant length the generator passes, each call
/// becomes two or four (overlapping) vector loads and stores instead of a <c>memmove</c> call.
/// </summary>
/// <remarks>
/// Overlapping vectors are safe for <see cref="Add"/> too: every load happens before any store, and the
/// lanes two vectors share get the same sum from both.
/// </remarks>
public static class ShortRows
{
    /// <summary>destination[destinationStart ..][.. length] = source[sourceStart ..][.. length].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(ReadOnlySpan<float> source, int sourceStart, Span<float> destination, int destinationStart, int length)
    {
        ReadOnlySpan<float> from = source.Slice(sourceStart, length);
        Span<float> to = destination.Slice(destinationStart, length);
        if (!Move<CopyOperator>(from, to))
        {
            from.CopyTo(to);
        }
    }

    /// <summary>destination[destinationStart ..][.. length] += source[sourceStart ..][.. length].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(ReadOnlySpan<float> source, int sourceStart, Span<float> destination, int destinationStart, int length)
    {
        ReadOnlySpan<float> from = source.Slice(sourceStart, length);
        Span<float> to = destination.Slice(destinationStart, length);
        if (!Move<AddOperator>(from, to))
        {
            TensorPrimitives.Add(to, from, to);
        }
    }

    // to = TOperator(to, from) for 4–32 floats with two or four overlapping vectors, all loads before
    // any store; false (nothing done) for other lengths or without 256-bit vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Move<TOperator>(ReadOnlySpan<float> from, Span<float> to)
        where TOperator : struct, IRowOperator
    {
        int length = from.Length;
        if (!Vector256.IsHardwareAccelerated || length is < 4 or > 32)
        {
            return false;
        }

        ref float f = ref MemoryMarshal.GetReference(from);
        ref float t = ref MemoryMarshal.GetReference(to);
        nuint last = (nuint)length;
        if (length < 8)
        {
            Vector128<float> head = TOperator.Apply(ref t, Vector128.LoadUnsafe(ref f), 0);
            Vector128<float> tail = TOperator.Apply(ref t, Vector128.LoadUnsafe(ref f, last - 4), last - 4);
            head.StoreUnsafe(ref t);
            tail.StoreUnsafe(ref t, last - 4);
        }
        else if (length <= 16)
        {
            Vector256<float> head = TOperator.Apply(ref t, Vector256.LoadUnsafe(ref f), 0);
            Vector256<float> tail = TOperator.Apply(ref t, Vector256.LoadUnsafe(ref f, last - 8), last - 8);
            head.StoreUnsafe(ref t);
            tail.StoreUnsafe(ref t, last - 8);
        }
        else
        {
            Vector256<float> v0 = TOperator.Apply(ref t, Vector256.LoadUnsafe(ref f), 0);
            Vector256<float> v1 = TOperator.Apply(ref t, Vector256.LoadUnsafe(ref f, 8), 8);
            Vector256<float> v2 = TOperator.Apply(ref t, Vector256.LoadUnsafe(ref f, last - 16), last - 16);
            Vector256<float> v3 = TOperator.Apply(ref t, Vector256.LoadUnsafe(ref f, last - 8), last - 8);
            v0.StoreUnsafe(ref t);
            v1.StoreUnsafe(ref t, 8);
            v2.StoreUnsafe(ref t, last - 16);
            v3.StoreUnsafe(ref t, last - 8);
        }

        return true;
    }

    /// <summary>What a row move stores at <c>destination[offset ..]</c> given the source vector there.</summary>
    private interface IRowOperator
    {
        static abstract Vector128<float> Apply(ref float destination, Vector128<float> source, nuint offset);

        static abstract Vector256<float> Apply(ref float destination, Vector256<float> source, nuint offset);
    }

    private readonly struct CopyOperator : IRowOperator
    {
        public static Vector128<float> Apply(ref float destination, Vector128<float> source, nuint offset) => source;

        public static Vector256<float> Apply(ref float destination, Vector256<float> source, nuint offset) => source;
    }

    private readonly struct AddOperator : IRowOperator
    {
        public static Vector128<float> Apply(ref float destination, Vector128<float> source, nuint offset) =>
            Vector128.LoadUnsafe(ref destination, offset) + source;

        public static Vector256<float> Apply(ref float destination, Vector256<float> source, nuint offset) =>
            Vector256.LoadUnsafe(ref destination, offset) + source;
    }
}
