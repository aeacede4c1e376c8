namespace CnnGen.Runtime;

/// <summary>Buffer sizes computed from a user's numbers: a product no array can hold is an error naming both factors, never a wrapped size.</summary>
internal static class CheckedSize
{
    /// <summary><paramref name="count"/> × <paramref name="length"/> as an array length, or an <see cref="ArgumentException"/>.</summary>
    public static int Floats(int count, int length, string countName, string lengthName, string parameterName)
    {
        long floats = (long)count * length;
        return floats <= Array.MaxLength
            ? (int)floats
            : throw new ArgumentException($"{countName} {count} × {lengthName} {length} = {floats} floats is more than an array can hold ({Array.MaxLength}).", parameterName);
    }
}
