using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Weights;

/// <summary>A problem with compiled-in weights: the diagnostic ID and its message arguments.</summary>
internal sealed record WeightsProblem(string Id, EquatableArray<string> MessageArguments)
{
    public bool IsError => Id != DiagnosticIds.WeightsTensorUnexpected;
}

/// <summary>
/// Matches <c>[Network(Weights = ...)]</c> against the safetensors files given as AdditionalFiles:
/// every parameter tensor of the plan must be in the file with its exact shape. Every mismatch is
/// reported; when there are none the values are laid out in <c>Parameters</c> order.
/// </summary>
internal static class WeightsCheck
{
    public static (float[]? Weights, List<WeightsProblem> Problems) Check(
        string className,
        string reference,
        NetworkPlan plan,
        ImmutableArray<CompiledWeightsFile> files)
    {
        var problems = new List<WeightsProblem>();
        void Report(string id, params string[] arguments) => problems.Add(new WeightsProblem(id, arguments.ToEquatableArray()));

        CompiledWeightsFile? file = files.FirstOrDefault(candidate => candidate.Matches(reference));
        if (file is null)
        {
            Report(DiagnosticIds.WeightsFileNotFound, className, reference);
            return (null, problems);
        }

        if (file.Error is not null)
        {
            Report(DiagnosticIds.WeightsFileUnreadable, className, reference, file.Error);
            return (null, problems);
        }

        var byName = file.Tensors.ToDictionary(tensor => tensor.Name, System.StringComparer.Ordinal);
        var weights = new float[plan.ParameterCount];
        foreach (ParameterTensorPlan expected in plan.ParameterTensors())
        {
            if (!byName.TryGetValue(expected.Name, out WeightTensor? actual))
            {
                Report(DiagnosticIds.WeightsTensorMissing, className, reference, expected.Name, expected.ShapeText);
                continue;
            }

            byName.Remove(expected.Name);
            if (!actual.Shape.Equals(expected.Shape))
            {
                Report(DiagnosticIds.WeightsShapeMismatch, className, reference, expected.Name, actual.ShapeText, expected.ShapeText);
                continue;
            }

            int i = expected.Offset;
            foreach (float value in actual.Values)
            {
                weights[i++] = value;
            }
        }

        foreach (WeightTensor extra in byName.Values.OrderBy(tensor => tensor.Name, System.StringComparer.Ordinal))
        {
            Report(DiagnosticIds.WeightsTensorUnexpected, className, reference, extra.Name, extra.ShapeText);
        }

        return (problems.Any(problem => problem.IsError) ? null : weights, problems);
    }
}
