using System.Collections.Generic;
using CnnGen.Generator.Model;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Planning;

/// <summary>
/// Lays out parameters (PyTorch <c>parameters()</c> order) and activation tensors for a network
/// whose shapes checked out.
/// </summary>
internal static class Planner
{
    public static NetworkPlan Plan(NetworkSpec network, ShapeReport shapes)
    {
        var layers = new List<LayerPlan>();
        var tensors = new List<TensorPlan>();
        LayerShape input = shapes.Layers[0].Shape!;
        tensors.Add(new TensorPlan(0, "input", input.Output.Size));

        int current = 0;
        LayerKind producer = LayerKind.Input; // who wrote the current tensor (Flatten passes it on)
        int parameterOffset = 0;
        for (int i = 1; i < network.Layers.Count; i++)
        {
            LayerSpec spec = network.Layers[i];
            LayerShape shape = shapes.Layers[i].Shape!;
            int output = current;
            if (spec.Kind != LayerKind.Flatten && !CanRunInPlace(spec.Kind, producer))
            {
                output = tensors.Count;
                tensors.Add(new TensorPlan(output, spec.Name + "Output", shape.Output.Size));
            }

            var layer = new LayerPlan(spec.Kind, spec.Name, MethodName(spec.Name), shape.Input, shape.Output, current, output)
            {
                Vertical = shape.Vertical,
                Horizontal = shape.Horizontal,
                Probability = spec.Probability,
                WeightOffset = parameterOffset,
            };
            if (spec.Kind == LayerKind.Conv2D)
            {
                layer = layer with { WeightCount = shape.Output.Channels * layer.PatchSize, BiasCount = shape.Output.Channels };
            }
            else if (spec.Kind == LayerKind.Dense)
            {
                layer = layer with { WeightCount = shape.Output.Size * shape.Input.Size, BiasCount = shape.Output.Size };
            }

            if (layer.InPlace && spec.Kind.IsActivation() && layers.Count > 0 && layers[layers.Count - 1].Kind == LayerKind.Conv2D)
            {
                // Conv2D + activation: one pass over the output while it is still in cache.
                layers[layers.Count - 1] = layers[layers.Count - 1] with { FusedActivation = spec.Kind };
                layer = layer with { FusedIntoProducer = true };
            }

            parameterOffset += layer.ParameterCount;
            layers.Add(layer);
            if (spec.Kind != LayerKind.Flatten)
            {
                producer = spec.Kind;
            }

            current = output;
        }

        return new NetworkPlan(network.Namespace, network.ClassName, network.Layers[0].Name, input.Output, layers.ToEquatableArray(), tensors.ToEquatableArray(), parameterOffset)
        {
            Memory = MemoryPlanner.Plan(layers, tensors),
        };
    }

    /// <summary>
    /// An activation may overwrite its input when the producer's backward does not read its own
    /// output: Conv2D, Dense and pooling read their inputs. The network input is read-only, and
    /// activations/dropout after activations keep a tensor of their own.
    /// </summary>
    private static bool CanRunInPlace(LayerKind kind, LayerKind producer) =>
        kind.IsActivation() && producer is LayerKind.Conv2D or LayerKind.Dense or LayerKind.MaxPool2D or LayerKind.AvgPool2D;

    /// <summary><c>conv1</c> → <c>Conv1</c>; names are validated identifiers.</summary>
    private static string MethodName(string name) => char.ToUpperInvariant(name[0]) + name.Substring(1);
}
