using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Planning;

/// <summary>
/// Lays out parameters (PyTorch <c>parameters()</c> order) and activation tensors for a network whose
/// shapes checked out. This is the one place that walks the graph: the shape report gives each layer the
/// layers it reads (<see cref="LayerShape.Sources"/>), declaration order is a topological order, and each
/// output's reader count decides what may run in place and which gradients are sums.
/// </summary>
internal static class Planner
{
    public static NetworkPlan Plan(NetworkSpec network, ShapeReport shapes)
    {
        var graph = new Graph(network, shapes);
        var layers = new List<LayerPlan>();
        var tensors = new List<TensorPlan>();
        LayerShape input = shapes.Layers[0].Shape!;
        tensors.Add(new TensorPlan(0, "input", input.Output.Size));

        var tensorOf = new int[network.Layers.Count]; // spec index -> the tensor holding that layer's output
        int parameterOffset = 0, stateOffset = 0, counters = 0;
        for (int i = 1; i < network.Layers.Count; i++)
        {
            LayerSpec spec = network.Layers[i];
            LayerShape shape = shapes.Layers[i].Shape!;
            LayerDefinition definition = LayerDefinitions.For(spec.Kind);
            int[] inputTensors = shape.Sources.Select(source => tensorOf[source]).ToArray();
            if (spec.Kind == LayerKind.From)
            {
                tensorOf[i] = inputTensors[0];
                continue;
            }

            int output = inputTensors[0];
            if (!definition.IsView && !(spec.Kind.IsActivation() && graph.MayOverwrite(shape.Sources[0])))
            {
                output = tensors.Count;
                tensors.Add(new TensorPlan(output, spec.Name + "Output", shape.Output.Size));
            }

            tensorOf[i] = output;
            LayerParameters? parameters = definition.Parameters(spec, shape);
            LayerState? state = definition.State(spec, shape);
            var layer = new LayerPlan(spec.Kind, spec.Name, MethodName(spec.Name), shape.Input, shape.Output, inputTensors[0], output)
            {
                InputTensors = inputTensors.ToEquatableArray(),
                OperandNames = shape.Sources.Select(source => network.Layers[source].Name).ToEquatableArray(),
                ReadsNamedTensors = definition.ReadsNamedTensors || shape.Sources[0] != graph.Previous(i),
                IsLive = graph.IsLive(i),
                Vertical = shape.Vertical,
                Horizontal = shape.Horizontal,
                Probability = spec.Probability,
                WeightOffset = parameterOffset,
                WeightShape = parameters?.WeightShape ?? EquatableArray<int>.Empty,
                WeightCount = parameters?.WeightCount ?? 0,
                BiasCount = parameters?.BiasCount ?? 0,
                FanIn = parameters?.FanIn ?? 0,
                State = state,
                StateOffset = stateOffset,
                CounterIndex = state is { CountsBatches: true } ? counters++ : -1,
                Epsilon = spec.Epsilon,
                Momentum = spec.Momentum,
            };
            stateOffset += layer.StateCount;

            LayerPlan? producer = layers.Count > 0 ? layers[layers.Count - 1] : null;
            if (layer.InPlace && spec.Kind.IsActivation() && producer is not null && producer.OutputTensor == output
                && LayerDefinitions.For(producer.Kind).FusesActivation(spec.Kind))
            {
                // Conv2D or Add + activation: one pass over the output while it is still in cache.
                layers[layers.Count - 1] = producer with { FusedActivation = spec.Kind };
                layer = layer with { FusedIntoProducer = true };
            }

            parameterOffset += layer.ParameterCount;
            layers.Add(layer);
        }

        FoldNormalizations(layers);
        AssignGradientTargets(layers, tensors);
        return new NetworkPlan(network.Namespace, network.ClassName, network.Layers[0].Name, input.Output, layers.ToEquatableArray(), tensors.ToEquatableArray(), parameterOffset)
        {
            Memory = MemoryPlanner.Plan(layers, tensors),
        };
    }

    /// <summary>
    /// Once frozen, a layer that folds into its producer (BatchNorm2D after Conv2D) runs inside it: when the producer
    /// takes folds and its output has no other reader, and the folding layer's output is not the network's (the
    /// caller's span, which the producer does not write). An activation running in place after it is then applied
    /// by the producer too, as Conv2D applies one that follows it directly.
    /// </summary>
    private static void FoldNormalizations(List<LayerPlan> layers)
    {
        int networkOutput = layers[layers.Count - 1].OutputTensor;
        for (int l = 0; l < layers.Count; l++)
        {
            LayerPlan layer = layers[l];
            if (LayerDefinitions.For(layer.Kind).FoldIntoProducer(layer) is not { } fold || layer.OutputTensor == networkOutput)
            {
                continue;
            }

            int producer = l == 0 ? -1 : layers.FindLastIndex(l - 1, candidate => candidate.OutputTensor == layer.InputTensor);
            if (producer < 0 || !LayerDefinitions.For(layers[producer].Kind).TakesFoldedLayer
                || layers.Count(reader => reader.InputTensors.Contains(layer.InputTensor)) != 1)
            {
                continue;
            }

            LayerKind? activation = null;
            if (l + 1 < layers.Count && layers[l + 1] is { InPlace: true } next && next.Kind.IsActivation() && next.InputTensor == layer.OutputTensor)
            {
                activation = next.Kind;
                layers[l + 1] = next with { FusedWhenFrozen = true };
            }

            layers[producer] = layers[producer] with { Fold = fold, FrozenActivation = activation };
            layers[l] = layer with { FoldedIntoProducer = true };
        }
    }

    /// <summary>
    /// Backward visits the live layers in reverse; the first to reach a tensor's gradient writes it, every later
    /// reader writes its share into a place of its own that is then added in. A tensor with one reader — every
    /// tensor of a sequential network — keeps the plain overwrite, with no extra pass. An in-place layer rewrites
    /// the gradient it was handed.
    /// </summary>
    private static void AssignGradientTargets(List<LayerPlan> layers, List<TensorPlan> tensors)
    {
        var written = new HashSet<int>();
        for (int l = layers.Count - 1; l >= 0; l--)
        {
            LayerPlan layer = layers[l];
            var targets = new int[layer.InputTensors.Count];
            for (int k = 0; k < targets.Length; k++)
            {
                int tensor = layer.InputTensors[k];
                targets[k] = tensor;
                if (!layer.IsLive || tensor == layer.OutputTensor)
                {
                    continue; // a dead layer writes no gradient; an in-place one rewrites its own
                }

                if (!written.Add(tensor))
                {
                    targets[k] = tensors.Count;
                    tensors.Add(new TensorPlan(tensors.Count, $"{layer.Name}Operand{k}Share", tensors[tensor].Size) { GradientOnly = true });
                }
            }

            layers[l] = layer with { GradientTargets = targets.ToEquatableArray() };
        }
    }

    /// <summary><c>conv1</c> → <c>Conv1</c>; names are validated identifiers.</summary>
    private static string MethodName(string name) => char.ToUpperInvariant(name[0]) + name.Substring(1);

    /// <summary>Who reads what: reader counts and liveness over the spec's layers.</summary>
    private sealed class Graph
    {
        private readonly NetworkSpec _network;
        private readonly ShapeReport _shapes;
        private readonly int[] _readers;
        private readonly bool[] _live;

        public Graph(NetworkSpec network, ShapeReport shapes)
        {
            _network = network;
            _shapes = shapes;
            int count = network.Layers.Count;
            _readers = new int[count];
            _live = new bool[count];
            _readers[count - 1]++; // the network's output is read by the caller
            _live[count - 1] = true;
            for (int i = count - 1; i >= 0; i--)
            {
                foreach (int source in Sources(i))
                {
                    if (network.Layers[i].Kind != LayerKind.From)
                    {
                        _readers[source]++;
                    }

                    _live[source] |= _live[i];
                }
            }
        }

        private EquatableArray<int> Sources(int layer) => _shapes.Layers[layer].Shape!.Sources;

        public bool IsLive(int layer) => _live[layer];

        /// <summary>The layer before <paramref name="layer"/> that makes a tensor (skipping From).</summary>
        public int Previous(int layer)
        {
            int previous = layer - 1;
            while (previous > 0 && _network.Layers[previous].Kind == LayerKind.From)
            {
                previous--;
            }

            return previous;
        }

        /// <summary>
        /// Whether an activation reading <paramref name="source"/> may overwrite it: it is the only reader, the
        /// tensor is not the network's read-only input, and the producer's backward does not need its own output
        /// (looking through views such as Flatten, which share the tensor).
        /// </summary>
        public bool MayOverwrite(int source)
        {
            if (source == 0 || _readers[source] != 1)
            {
                return false;
            }

            LayerDefinition producer = LayerDefinitions.For(_network.Layers[source].Kind);
            return producer.IsView ? MayOverwrite(Sources(source)[0]) : producer.ActivationMayOverwriteOutput;
        }
    }
}
