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

/// <summary>What a weights file compiles in: parameters, state and counters in the network's layouts.</summary>
internal sealed record CompiledState(float[] Parameters, float[] State, long[] Counters);

/// <summary>
/// Matches <c>[Network(Weights = ...)]</c> against the safetensors files given as AdditionalFiles, as PyTorch's
/// <c>load_state_dict(strict=True)</c> does: every parameter tensor and every state tensor (BatchNorm's
/// <c>running_mean</c> and <c>running_var</c>) of the plan must be in the file with its exact shape; a
/// <c>num_batches_tracked</c> must be an I64 scalar, and may be missing (checkpoints from before PyTorch 0.4.1 lack
/// it; the count starts at 0, as PyTorch loads them). Every mismatch is reported; when there are none the values
/// are laid out in <c>Parameters</c>, <c>State</c> and <c>BatchesTracked</c> order.
/// </summary>
internal static class WeightsCheck
{
    public static (CompiledState? Weights, List<WeightsProblem> Problems) Check(
        string className,
        string reference,
        NetworkPlan plan,
        ImmutableArray<CompiledWeightsFile> files)
    {
        var problems = new List<WeightsProblem>();
        void Report(string id, params string[] arguments) => problems.Add(new WeightsProblem(id, arguments.ToEquatableArray()));

        CompiledWeightsFile? file = files.FirstOrDefault(candidate => candidate.Matches(reference));
        if (file is null && !reference.EndsWith(CompiledWeightsFile.Extension, System.StringComparison.OrdinalIgnoreCase))
        {
            // NetworkGenerator reads only .safetensors items: a CnnGen weight file (.cnnw) or another name would never be found.
            Report(DiagnosticIds.WeightsFileUnreadable, className, reference, "only safetensors files (.safetensors) are compiled in; write one with SafeTensors.Save (after WeightFile.Load for a .cnnw file)");
            return (null, problems);
        }

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
        void Fill(IEnumerable<ParameterTensorPlan> tensors, float[] destination)
        {
            foreach (ParameterTensorPlan expected in tensors)
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
                    destination[i++] = value;
                }
            }
        }

        var parameters = new float[plan.ParameterCount];
        var state = new float[plan.StateCount];
        Fill(plan.ParameterTensors(), parameters);
        Fill(plan.StateTensors(), state);
        string[] counterNames = plan.CounterNames().ToArray();
        var counters = new long[counterNames.Length];
        for (int c = 0; c < counterNames.Length; c++)
        {
            if (!byName.TryGetValue(counterNames[c], out WeightTensor? actual))
            {
                continue; // starts at 0, as PyTorch loads a state_dict from before num_batches_tracked
            }

            byName.Remove(counterNames[c]);
            if (actual.DataType != "I64" || actual.Shape.Count != 0)
            {
                Report(DiagnosticIds.WeightsShapeMismatch, className, reference, counterNames[c], $"{actual.ShapeText} {actual.DataType}", "() I64");
                continue;
            }

            counters[c] = actual.Integers[0];
        }

        foreach (WeightTensor extra in byName.Values.OrderBy(tensor => tensor.Name, System.StringComparer.Ordinal))
        {
            Report(DiagnosticIds.WeightsTensorUnexpected, className, reference, extra.Name, extra.ShapeText);
        }

        return (problems.Any(problem => problem.IsError) ? null : new CompiledState(parameters, state, counters), problems);
    }
}
