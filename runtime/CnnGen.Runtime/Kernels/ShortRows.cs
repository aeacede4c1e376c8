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
        if (!Vector256.IsHardwareAccelerated || length is < 4 or > 32)
        {
            from.CopyTo(to);
            return;
        }

        ref float f = ref MemoryMarshal.GetReference(from);
        ref float t = ref MemoryMarshal.GetReference(to);
        nuint last = (nuint)length;
        if (length < 8)
        {
            Vector128<float> head = Vector128.LoadUnsafe(ref f), tail = Vector128.LoadUnsafe(ref f, last - 4);
            head.StoreUnsafe(ref t);
            tail.StoreUnsafe(ref t, last - 4);
        }
        else if (length <= 16)
        {
            Vector256<float> head = Vector256.LoadUnsafe(ref f), tail = Vector256.LoadUnsafe(ref f, last - 8);
            head.StoreUnsafe(ref t);
            tail.StoreUnsafe(ref t, last - 8);
        }
        else
        {
            Vector256<float> v0 = Vector256.LoadUnsafe(ref f), v1 = Vector256.LoadUnsafe(ref f, 8);
            Vector256<float> v2 = Vector256.LoadUnsafe(ref f, last - 16), v3 = Vector256.LoadUnsafe(ref f, last - 8);
            v0.StoreUnsafe(ref t);
            v1.StoreUnsafe(ref t, 8);
            v2.StoreUnsafe(ref t, last - 16);
            v3.StoreUnsafe(ref t, last - 8);
        }
    }

    /// <summary>destination[destinationStart ..][.. length] += source[sourceStart ..][.. length].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(ReadOnlySpan<float> source, int sourceStart, Span<float> destination, int destinationStart, int length)
    {
        ReadOnlySpan<float> from = source.Slice(sourceStart, length);
        Span<float> to = destination.Slice(destinationStart, length);
        if (!Vector256.IsHardwareAccelerated || length is < 4 or > 32)
        {
            TensorPrimitives.Add(to, from, to);
            return;
        }

        ref float f = ref MemoryMarshal.GetReference(from);
        ref float t = ref MemoryMarshal.GetReference(to);
        nuint last = (nuint)length;
        if (length < 8)
        {
            Vector128<float> head = Vector128.LoadUnsafe(ref t) + Vector128.LoadUnsafe(ref f);
            Vector128<float> tail = Vector128.LoadUnsafe(ref t, last - 4) + Vector128.LoadUnsafe(ref f, last - 4);
            head.StoreUnsafe(ref t);
            tail.StoreUnsafe(ref t, last - 4);
        }
        else if (length <= 16)
        {
            Vector256<float> head = Vector256.LoadUnsafe(ref t) + Vector256.LoadUnsafe(ref f);
            Vector256<float> tail = Vector256.LoadUnsafe(ref t, last - 8) + Vector256.LoadUnsafe(ref f, last - 8);
            head.StoreUnsafe(ref t);
            tail.StoreUnsafe(ref t, last - 8);
        }
        else
        {
            Vector256<float> v0 = Vector256.LoadUnsafe(ref t) + Vector256.LoadUnsafe(ref f);
            Vector256<float> v1 = Vector256.LoadUnsafe(ref t, 8) + Vector256.LoadUnsafe(ref f, 8);
            Vector256<float> v2 = Vector256.LoadUnsafe(ref t, last - 16) + Vector256.LoadUnsafe(ref f, last - 16);
            Vector256<float> v3 = Vector256.LoadUnsafe(ref t, last - 8) + Vector256.LoadUnsafe(ref f, last - 8);
            v0.StoreUnsafe(ref t);
            v1.StoreUnsafe(ref t, 8);
            v2.StoreUnsafe(ref t, last - 16);
            v3.StoreUnsafe(ref t, last - 8);
        }
    }
}
