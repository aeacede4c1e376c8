using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Model;
using CnnGen.Generator.Parsing;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator;

/// <summary>The result of checking one network: its diagnostics, and a plan when it can be generated.</summary>
internal sealed record Analysis(NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>Runs shape inference on a parsed network, locates its problems, and plans the code.</summary>
internal static class Analyzer
{
    public static Analysis Analyze(ParseResult parsed)
    {
        if (parsed.Spec is null)
        {
            return new Analysis(null, parsed.Diagnostics);
        }

        ShapeReport report = ShapeInference.Check(parsed.Spec);
        var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
        diagnostics.AddRange(report.Problems.Select(problem => new DiagnosticInfo(problem.Id, Locate(parsed, problem), problem.MessageArguments)));
        NetworkPlan? plan = parsed.CanGenerate && !report.HasErrors ? Planner.Plan(parsed.Spec, report) : null;
        return new Analysis(plan, diagnostics.ToEquatableArray());
    }

    /// <summary>The first named argument the user wrote, else the attribute, else the class name.</summary>
    private static LocationInfo? Locate(ParseResult parsed, ShapeProblem problem)
    {
        if (problem.LayerIndex < 0)
        {
            return parsed.ClassLocation;
        }

        foreach (string argument in problem.Arguments)
        {
            ArgumentLocation? written = parsed.ArgumentLocations.FirstOrDefault(
                location => location.LayerIndex == problem.LayerIndex && location.Argument == argument);
            if (written is not null)
            {
                return written.Location;
            }
        }

        return parsed.LayerLocations[problem.LayerIndex].Location ?? parsed.ClassLocation;
    }
}
