namespace CnnGen.Generator.Model;

/// <summary>Tensor shapes as diagnostics print them: <c>(6, 1, 5, 5)</c>.</summary>
internal static class ShapeFormat
{
    public static string Of(EquatableArray<int> shape) => "(" + string.Join(", ", shape) + ")";
}
