using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using CnnGen.Generator.Diagnostics;
using System.Linq;
using CnnGen.Generator.Model;
using CnnGen.Generator.Parsing;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;
using CnnGen.Generator.Weights;

namespace CnnGen.Generator;

/// <summary>The result of checking one network: its diagnostics, and a plan when it can be generated.</summary>
internal sealed record Analysis(NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>Runs shape inference on a parsed network, locates its problems, and plans the code.</summary>
internal static class Analyzer
{
    public static Analysis Analyze(ParseResult parsed, ImmutableArray<CompiledWeightsFile> weightFiles)
    {
        if (parsed.Spec is null)
        {
            return new Analysis(null, parsed.Diagnostics);
        }

        ShapeReport report = ShapeInference.Check(parsed.Spec);
        var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
        diagnostics.AddRange(report.Problems.Select(problem => new DiagnosticInfo(problem.Id, Locate(parsed, problem), problem.MessageArguments)));
        NetworkPlan? plan = parsed.CanGenerate && !report.HasErrors ? Planner.Plan(parsed.Spec, report) : null;
        if (plan is not null && parsed.Spec.WeightsFile is string reference)
        {
            (CompiledState? weights, List<WeightsProblem> problems) = WeightsCheck.Check(parsed.Spec.ClassName, reference, plan, weightFiles);
            LocationInfo? location = ArgumentOrClass(parsed, NetworkParser.ClassLevel, "Weights");
            diagnostics.AddRange(problems.Select(problem => new DiagnosticInfo(problem.Id, location, problem.MessageArguments)));
            plan = weights is null ? null : plan with
            {
                CompiledWeights = weights.Parameters.ToEquatableArray(),
                CompiledState = weights.State.ToEquatableArray(),
                CompiledCounters = weights.Counters.ToEquatableArray(),
            };
        }

        if (plan is not null && parsed.Spec.MaxArenaBytes > 0 && plan.InferenceArenaBytes(1, 1) > parsed.Spec.MaxArenaBytes)
        {
            diagnostics.Add(OverBudget(parsed, plan));
            plan = null;
        }

        return new Analysis(plan, diagnostics.ToEquatableArray());
    }

    private static DiagnosticInfo OverBudget(ParseResult parsed, NetworkPlan plan)
    {
        string Bytes(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
        long convolutionFloats = plan.InferenceBufferFloats;
        string hint = convolutionFloats > plan.Memory.InferenceFloats
            ? "the convolutions' work memory dominates: fewer input channels or a smaller kernel or output per convolution would shrink them"
            : "pool or stride earlier, or use fewer filters, to shrink the largest tensors";
        return new DiagnosticInfo(
            DiagnosticIds.ArenaOverBudget,
            ArgumentOrClass(parsed, NetworkParser.ClassLevel, "MaxArenaBytes"),
            new[]
            {
                parsed.Spec!.ClassName,
                Bytes(plan.InferenceArenaBytes(1, 1)),
                Bytes(4L * plan.Memory.InferenceFloats),
                plan.Memory.InferencePeak,
                Bytes(4L * convolutionFloats),
                Bytes(parsed.Spec.MaxArenaBytes),
                hint,
            }.ToEquatableArray());
    }

    private static LocationInfo? ArgumentOrClass(ParseResult parsed, int layerIndex, string argument) =>
        parsed.ArgumentLocations.FirstOrDefault(location => location.LayerIndex == layerIndex && location.Argument == argument)?.Location
        ?? parsed.ClassLocation;

    /// <summary>The first named argument the user wrote, else the attribute, else the class name.</summary>
    private static LocationInfo? Locate(ParseResult parsed, ShapeProblem problem)
    {
        foreach (string argument in problem.Arguments)
        {
            ArgumentLocation? written = parsed.ArgumentLocations.FirstOrDefault(
                location => location.LayerIndex == problem.LayerIndex && location.Argument == argument);
            if (written is not null)
            {
                return written.Location;
            }
        }

        return problem.LayerIndex < 0 ? parsed.ClassLocation : parsed.LayerLocations[problem.LayerIndex].Location ?? parsed.ClassLocation;
    }
}
