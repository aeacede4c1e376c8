using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>What a transpose does with each row (8 or 4 floats) it produces, and with each single element at an edge.</summary>
internal interface ITransposedRows
{
    /// <summary>Writes <paramref name="values"/>, which belong to destination row <paramref name="row"/>, at <paramref name="destination"/>.</summary>
    void Store(Vector256<float> values, ref float destination, int row);

    /// <inheritdoc cref="Store(Vector256{float}, ref float, int)"/>
    void Store(Vector128<float> values, ref float destination, int row);

    /// <summary>Writes one element of destination row <paramref name="row"/>.</summary>
    void Store(float value, ref float destination, int row);
}

/// <summary>The <see cref="ITransposedRows"/> the transposes use.</summary>
internal static class TransposedRows
{
    /// <summary>destination = value.</summary>
    public readonly struct Overwrite : ITransposedRows
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector256<float> values, ref float destination, int row) => values.StoreUnsafe(ref destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector128<float> values, ref float destination, int row) => values.StoreUnsafe(ref destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(float value, ref float destination, int row) => destination = value;
    }

    /// <summary>destination += value.</summary>
    public readonly struct Accumulate : ITransposedRows
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector256<float> values, ref float destination, int row) =>
            (values + Vector256.LoadUnsafe(ref destination)).StoreUnsafe(ref destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector128<float> values, ref float destination, int row) =>
            (values + Vector128.LoadUnsafe(ref destination)).StoreUnsafe(ref destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(float value, ref float destination, int row) => destination += value;
    }

    /// <summary>
    /// destination = value + bias[row] (no bias if it is empty), then <c>max(·, 0)</c> if <see cref="Relu"/>: a
    /// convolution's epilogue, run while its channel-major output is written.
    /// </summary>
    public readonly ref struct AddBias(ReadOnlySpan<float> bias, bool relu) : ITransposedRows
    {
        private readonly ReadOnlySpan<float> _bias = bias;

        /// <summary>Whether a ReLU follows the bias.</summary>
        public bool Relu { get; } = relu;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector256<float> values, ref float destination, int row)
        {
            Vector256<float> shifted = _bias.IsEmpty ? values : values + Vector256.Create(_bias[row]);
            (Relu ? Vector256.Max(shifted, Vector256<float>.Zero) : shifted).StoreUnsafe(ref destination);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector128<float> values, ref float destination, int row)
        {
            Vector128<float> shifted = _bias.IsEmpty ? values : values + Vector128.Create(_bias[row]);
            (Relu ? Vector128.Max(shifted, Vector128<float>.Zero) : shifted).StoreUnsafe(ref destination);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(float value, ref float destination, int row)
        {
            float shifted = _bias.IsEmpty ? value : value + _bias[row];
            destination = Relu ? MathF.Max(shifted, 0) : shifted;
        }
    }
}
