using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// Reductions of float spans accumulated in double: each float is widened before it is added, so a sum
/// over thousands of elements carries no more error than its inputs (float accumulation, as in
/// <c>TensorPrimitives.Sum</c>, loses up to length/lanes float roundings). Batch normalization's
/// statistics and global average pooling use them, to agree with PyTorch's CPU kernels, which
/// accumulate float tensors in double.
/// </summary>
/// <remarks>
/// Eight floats are one <see cref="Vector256{T}"/>, widened to two <see cref="Vector256{T}"/> of double;
/// sixteen a step into four independent accumulators, so the adds are not one latency-bound chain. Short
/// tails and machines without 256-bit vectors take a scalar loop in double.
/// </remarks>
internal static class WidenedSums
{
    /// <summary>Σ x, in double.</summary>
    public static double Sum(ReadOnlySpan<float> x)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        int length = x.Length, i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (; i <= length - 16; i += 16)
            {
                (Vector256<double> l0, Vector256<double> h0) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
                (Vector256<double> l1, Vector256<double> h1) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)(i + 8)));
                a0 += l0;
                a1 += h0;
                a2 += l1;
                a3 += h1;
            }

            if (i <= length - 8)
            {
                (Vector256<double> l0, Vector256<double> h0) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
                a0 += l0;
                a1 += h0;
                i += 8;
            }

            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }

        for (; i < length; i++)
        {
            sum += Unsafe.Add(ref start, i);
        }

        return sum;
    }

    /// <summary>Σ (x − center)², in double (center is not rounded to float).</summary>
    public static double SquaredDeviations(ReadOnlySpan<float> x, double center)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        int length = x.Length, i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            Vector256<double> c = Vector256.Create(center);
            Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (; i <= length - 16; i += 16)
            {
                (Vector256<double> l0, Vector256<double> h0) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
                (Vector256<double> l1, Vector256<double> h1) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)(i + 8)));
                l0 -= c;
                h0 -= c;
                l1 -= c;
                h1 -= c;
                a0 += l0 * l0;
                a1 += h0 * h0;
                a2 += l1 * l1;
                a3 += h1 * h1;
            }

            if (i <= length - 8)
            {
                (Vector256<double> l0, Vector256<double> h0) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
                l0 -= c;
                h0 -= c;
                a0 += l0 * l0;
                a1 += h0 * h0;
                i += 8;
            }

            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }

        for (; i < length; i++)
        {
            double d = Unsafe.Add(ref start, i) - center;
            sum += d * d;
        }

        return sum;
    }

    /// <summary>Σ y·(x − center), in double; <paramref name="y"/> is as long as <paramref name="x"/>.</summary>
    public static double DotDeviations(ReadOnlySpan<float> y, ReadOnlySpan<float> x, double center)
    {
        if (y.Length != x.Length)
        {
            throw new ArgumentException($"y has {y.Length} floats but x has {x.Length}.", nameof(y));
        }

        ref float yStart = ref MemoryMarshal.GetReference(y);
        ref float xStart = ref MemoryMarshal.GetReference(x);
        int length = x.Length, i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            Vector256<double> c = Vector256.Create(center);
            Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (; i <= length - 16; i += 16)
            {
                (Vector256<double> xl0, Vector256<double> xh0) = Vector256.Widen(Vector256.LoadUnsafe(ref xStart, (nuint)i));
                (Vector256<double> xl1, Vector256<double> xh1) = Vector256.Widen(Vector256.LoadUnsafe(ref xStart, (nuint)(i + 8)));
                (Vector256<double> yl0, Vector256<double> yh0) = Vector256.Widen(Vector256.LoadUnsafe(ref yStart, (nuint)i));
                (Vector256<double> yl1, Vector256<double> yh1) = Vector256.Widen(Vector256.LoadUnsafe(ref yStart, (nuint)(i + 8)));
                a0 += yl0 * (xl0 - c);
                a1 += yh0 * (xh0 - c);
                a2 += yl1 * (xl1 - c);
                a3 += yh1 * (xh1 - c);
            }

            if (i <= length - 8)
            {
                (Vector256<double> xl0, Vector256<double> xh0) = Vector256.Widen(Vector256.LoadUnsafe(ref xStart, (nuint)i));
                (Vector256<double> yl0, Vector256<double> yh0) = Vector256.Widen(Vector256.LoadUnsafe(ref yStart, (nuint)i));
                a0 += yl0 * (xl0 - c);
                a1 += yh0 * (xh0 - c);
                i += 8;
            }

            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }

        for (; i < length; i++)
        {
            sum += Unsafe.Add(ref yStart, i) * (Unsafe.Add(ref xStart, i) - center);
        }

        return sum;
    }
}
