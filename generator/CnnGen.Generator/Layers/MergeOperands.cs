using System.Collections.Generic;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Layers;

/// <summary>What <c>Add</c> and <c>Concat</c> share: reading their operand names and checking there are some.</summary>
internal static class MergeOperands
{
    public static LayerSpec Read(LayerSpec spec, ArgumentValues arguments) =>
        spec with { TensorNames = arguments.Strings("names").ToEquatableArray() };

    public static void CheckNamed(LayerSpec layer, LayerChecks checks)
    {
        if (layer.TensorNames.Count == 0)
        {
            checks.Report(DiagnosticIds.ArgumentOutOfRange, new[] { "names" }, layer.Name, "names", "empty", "name at least one tensor to merge with the current one");
        }
    }

    /// <summary>CNN0004 when the current tensor's own name was the only one listed: there is nothing to merge it with.</summary>
    public static bool CheckTwoOrMore(LayerSpec layer, int operands, LayerChecks checks)
    {
        if (operands >= 2)
        {
            return true;
        }

        checks.Report(DiagnosticIds.ArgumentOutOfRange, new[] { "names" }, layer.Name, "names", $"'{layer.TensorNames[0]}'", "it lists only the current tensor; name another tensor to merge it with");
        return false;
    }

    /// <summary>CNN0026: operand <paramref name="operand"/> does not fit the first; both names and shapes shown.</summary>
    public static void ReportMismatch(LayerSpec layer, LayerChecks checks, string needs, IReadOnlyList<TensorShape> inputs, int operand, string hint) =>
        checks.Report(
            DiagnosticIds.MergeShapeMismatch,
            new[] { "names" },
            layer.Name,
            layer.Kind.ToString(),
            needs,
            checks.OperandNames[0],
            inputs[0].ToString(),
            checks.OperandNames[operand],
            inputs[operand].ToString(),
            hint);
}
