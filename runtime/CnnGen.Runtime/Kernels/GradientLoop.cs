using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// An activation's backward step as an operator: the new gradient from the forward output y and the
/// incoming gradient g, at every width <see cref="GradientLoop"/> may run it at.
/// </summary>
internal interface IGradientOperator
{
    static abstract float Invoke(float output, float gradient);

    static abstract Vector128<float> Invoke(Vector128<float> output, Vector128<float> gradient);

    static abstract Vector256<float> Invoke(Vector256<float> output, Vector256<float> gradient);

    static abstract Vector512<float> Invoke(Vector512<float> output, Vector512<float> gradient);
}

/// <summary>
/// gradient[i] = TOperator(output[i], gradient[i]) in place, TensorPrimitives-style: the widest
/// accelerated vector, and an overlapping last vector instead of a scalar tail.
/// </summary>
internal static class GradientLoop
{
    public static void Apply<TOperator>(ReadOnlySpan<float> output, Span<float> gradient)
        where TOperator : struct, IGradientOperator
    {
        if (output.Length != gradient.Length)
        {
            throw new ArgumentException(
                $"The gradient has {gradient.Length} elements but the forward output has {output.Length}.", nameof(gradient));
        }

        ref float y = ref MemoryMarshal.GetReference(output);
        ref float g = ref MemoryMarshal.GetReference(gradient);
        nuint length = (nuint)gradient.Length;

        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<float>.Count)
        {
            // The last vector overlaps the loop's final one, and this runs in place: compute it from the
            // original values before the loop overwrites them, and store it after.
            nuint lastOffset = length - (nuint)Vector512<float>.Count;
            Vector512<float> last = TOperator.Invoke(Vector512.LoadUnsafe(ref y, lastOffset), Vector512.LoadUnsafe(ref g, lastOffset));
            for (nuint i = 0; i < lastOffset; i += (nuint)Vector512<float>.Count)
            {
                TOperator.Invoke(Vector512.LoadUnsafe(ref y, i), Vector512.LoadUnsafe(ref g, i)).StoreUnsafe(ref g, i);
            }

            last.StoreUnsafe(ref g, lastOffset);
            return;
        }

        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<float>.Count)
        {
            nuint lastOffset = length - (nuint)Vector256<float>.Count;
            Vector256<float> last = TOperator.Invoke(Vector256.LoadUnsafe(ref y, lastOffset), Vector256.LoadUnsafe(ref g, lastOffset));
            for (nuint i = 0; i < lastOffset; i += (nuint)Vector256<float>.Count)
            {
                TOperator.Invoke(Vector256.LoadUnsafe(ref y, i), Vector256.LoadUnsafe(ref g, i)).StoreUnsafe(ref g, i);
            }

            last.StoreUnsafe(ref g, lastOffset);
            return;
        }

        if (Vector128.IsHardwareAccelerated && length >= (nuint)Vector128<float>.Count)
        {
            nuint lastOffset = length - (nuint)Vector128<float>.Count;
            Vector128<float> last = TOperator.Invoke(Vector128.LoadUnsafe(ref y, lastOffset), Vector128.LoadUnsafe(ref g, lastOffset));
            for (nuint i = 0; i < lastOffset; i += (nuint)Vector128<float>.Count)
            {
                TOperator.Invoke(Vector128.LoadUnsafe(ref y, i), Vector128.LoadUnsafe(ref g, i)).StoreUnsafe(ref g, i);
            }

            last.StoreUnsafe(ref g, lastOffset);
            return;
        }

        for (nuint i = 0; i < length; i++)
        {
            Unsafe.Add(ref g, i) = TOperator.Invoke(Unsafe.Add(ref y, i), Unsafe.Add(ref g, i));
        }
    }
}
