using System.Numerics;
using System.Runtime.InteropServices;

namespace CnnGen.Runtime.Training;

/// <summary>One optimizer's element-wise update rule over vectors of parameters.</summary>
internal interface IParameterUpdate
{
    /// <summary>
    /// Updates <paramref name="parameter"/> and up to two state vectors (momentum, second moment)
    /// from <paramref name="gradient"/>; lane by lane, no lane depends on another.
    /// </summary>
    void Invoke(ref Vector<float> parameter, Vector<float> gradient, ref Vector<float> state1, ref Vector<float> state2);
}

/// <summary>
/// Drives an <see cref="IParameterUpdate"/> over whole buffers: full vectors in place, then the
/// remainder through a zero-padded stack vector, so every element goes through the same vector
/// arithmetic (an overlapping last vector would update the overlapped elements twice).
/// </summary>
internal static class ParameterUpdate
{
    /// <summary>
    /// Runs <paramref name="update"/> over all elements. <paramref name="state1"/> and
    /// <paramref name="state2"/> are either as long as <paramref name="parameters"/> or empty
    /// (an optimizer that has no such state).
    /// </summary>
    public static void Run<TUpdate>(
        in TUpdate update,
        Span<float> parameters,
        ReadOnlySpan<float> gradients,
        Span<float> state1,
        Span<float> state2)
        where TUpdate : struct, IParameterUpdate
    {
        int width = Vector<float>.Count;
        int length = parameters.Length;
        int vectorLength = length - length % width;

        Span<Vector<float>> parameterVectors = MemoryMarshal.Cast<float, Vector<float>>(parameters[..vectorLength]);
        ReadOnlySpan<Vector<float>> gradientVectors = MemoryMarshal.Cast<float, Vector<float>>(gradients[..vectorLength]);
        Span<Vector<float>> state1Vectors = state1.IsEmpty ? default : MemoryMarshal.Cast<float, Vector<float>>(state1[..vectorLength]);
        Span<Vector<float>> state2Vectors = state2.IsEmpty ? default : MemoryMarshal.Cast<float, Vector<float>>(state2[..vectorLength]);
        Vector<float> unused1 = default, unused2 = default;
        for (int i = 0; i < parameterVectors.Length; i++)
        {
            update.Invoke(
                ref parameterVectors[i],
                gradientVectors[i],
                ref (state1.IsEmpty ? ref unused1 : ref state1Vectors[i]),
                ref (state2.IsEmpty ? ref unused2 : ref state2Vectors[i]));
        }

        if (vectorLength == length)
        {
            return;
        }

        // The tail: zeros in the unused lanes keep every rule finite (0 gradient, 0 state).
        int tail = length - vectorLength;
        Span<float> lanes = stackalloc float[4 * width];
        lanes.Clear();
        Span<float> parameterLanes = lanes[..width], gradientLanes = lanes.Slice(width, width);
        Span<float> state1Lanes = lanes.Slice(2 * width, width), state2Lanes = lanes.Slice(3 * width, width);
        parameters[vectorLength..].CopyTo(parameterLanes);
        gradients[vectorLength..].CopyTo(gradientLanes);
        if (!state1.IsEmpty)
        {
            state1[vectorLength..].CopyTo(state1Lanes);
        }

        if (!state2.IsEmpty)
        {
            state2[vectorLength..].CopyTo(state2Lanes);
        }

        update.Invoke(
            ref MemoryMarshal.Cast<float, Vector<float>>(parameterLanes)[0],
            MemoryMarshal.Cast<float, Vector<float>>(gradientLanes)[0],
            ref MemoryMarshal.Cast<float, Vector<float>>(state1Lanes)[0],
            ref MemoryMarshal.Cast<float, Vector<float>>(state2Lanes)[0]);
        parameterLanes[..tail].CopyTo(parameters[vectorLength..]);
        if (!state1.IsEmpty)
        {
            state1Lanes[..tail].CopyTo(state1[vectorLength..]);
        }

        if (!state2.IsEmpty)
        {
            state2Lanes[..tail].CopyTo(state2[vectorLength..]);
        }
    }

    /// <summary>Throws unless both buffers have exactly <paramref name="parameterCount"/> elements.</summary>
    public static void CheckLengths(int parameterCount, Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != parameterCount)
        {
            throw new ArgumentException(
                $"The optimizer was built for {parameterCount} parameters but the parameter buffer has {parameters.Length}.",
                nameof(parameters));
        }

        if (gradients.Length != parameterCount)
        {
            throw new ArgumentException(
                $"The parameter buffer has {parameterCount} elements but the gradient buffer has {gradients.Length}.",
                nameof(gradients));
        }
    }

    /// <summary>Returns <paramref name="stepCount"/> if it is a possible step count (≥ 0), else throws.</summary>
    public static int CheckStepCount(int stepCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        return stepCount;
    }
}
