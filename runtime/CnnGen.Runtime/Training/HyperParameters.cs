namespace CnnGen.Runtime.Training;

/// <summary>Argument checks shared by the optimizers, with messages that name the value.</summary>
internal static class HyperParameters
{
    /// <summary>Returns <paramref name="value"/> if it is finite and ≥ 0, else throws.</summary>
    public static float CheckNonNegative(float value, string name)
    {
        if (!float.IsFinite(value) || value < 0f)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and non-negative.");
        }

        return value;
    }

    /// <summary>Returns <paramref name="value"/> if it is in [0, 1), else throws.</summary>
    public static float CheckUnitInterval(float value, string name)
    {
        if (!(value >= 0f && value < 1f))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
        }

        return value;
    }
}
