namespace CnnGen.Generator.Emit;

/// <summary>Fully qualified names used in generated code (generated code never relies on usings).</summary>
internal static class Code
{
    public const string Span = "global::System.Span<float>";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
    public const string Kernels = "global::CnnGen.Runtime.Kernels.";
    public const string Gemm = Kernels + "Gemm.";
    public const string Bias = Kernels + "Bias.";
    public const string TensorPrimitives = "global::System.Numerics.Tensors.TensorPrimitives.";
    public const string Runtime = "global::CnnGen.Runtime.";
}
