using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Shapes;

/// <summary>
/// Checks a <see cref="NetworkSpec"/> and infers every layer's shape. Pure and Roslyn-free: the
/// generator (and any analyzer or tool) calls <see cref="Check"/> and turns the problems into
/// diagnostics. Every problem is collected, not just the first: after a bad layer, inference goes
/// on with PyTorch's floored size where one exists.
/// </summary>
/// <remarks>
/// The network is a graph written as a stack: each layer reads the current tensor (the previous
/// layer's output), or the one <c>From("x")</c> names, and merges read named tensors too. Names are
/// resolved here, in declaration order, which is therefore a topological order.
/// </remarks>
internal sealed partial class ShapeInference
{
    private readonly NetworkSpec _network;
    private readonly List<ShapeProblem> _problems = new();

    private ShapeInference(NetworkSpec network) => _network = network;

    public static ShapeReport Check(NetworkSpec network)
    {
        var inference = new ShapeInference(network);
        int inputIndex = inference.CheckStructure();
        inference.CheckNames();
        bool[] argumentsValid = inference.CheckArguments();
        LayerShapeSlot[] shapes = inference.Propagate(inputIndex, argumentsValid);
        inference.CheckReaders(shapes);
        return new ShapeReport(shapes.ToEquatableArray(), inference._problems.ToEquatableArray());
    }

    private LayerChecks ChecksFor(int index) => new(_problems, index, _network.Layers[index]);

    /// <summary>Returns, per layer, whether its arguments are usable for shape inference.</summary>
    private bool[] CheckArguments()
    {
        var valid = new bool[_network.Layers.Count];
        for (int i = 0; i < valid.Length; i++)
        {
            int before = _problems.Count;
            LayerSpec layer = _network.Layers[i];
            LayerDefinitions.For(layer.Kind).CheckArguments(layer, ChecksFor(i));
            valid[i] = _problems.Count == before;
        }

        return valid;
    }

    private LayerShapeSlot[] Propagate(int inputIndex, bool[] argumentsValid)
    {
        var shapes = new LayerShapeSlot[_network.Layers.Count];
        for (int i = 0; i < shapes.Length; i++)
        {
            shapes[i] = new LayerShapeSlot(null);
        }

        if (inputIndex < 0 || !argumentsValid[inputIndex])
        {
            return shapes;
        }

        LayerSpec input = _network.Layers[inputIndex];
        TensorShape inputShape = TensorShape.Image(input.Channels, input.Height, input.Width);
        shapes[inputIndex] = new LayerShapeSlot(new LayerShape(inputShape, inputShape));
        var tensors = new Dictionary<string, int> { [input.Name] = inputIndex }; // name -> the layer that produced it
        int current = inputIndex;
        for (int i = inputIndex + 1; i < shapes.Length; i++)
        {
            LayerSpec layer = _network.Layers[i];
            if (layer.Kind == LayerKind.Input || !argumentsValid[i])
            {
                return shapes;
            }

            LayerDefinition definition = LayerDefinitions.For(layer.Kind);
            int[]? sources = Sources(i, layer, definition, current, tensors);
            if (sources is null)
            {
                return shapes;
            }

            TensorShape[] inputs = sources.Select(source => shapes[source].Shape!.Output).ToArray();
            string[] operandNames = sources.Select(source => _network.Layers[source].Name).ToArray();
            LayerShape? shape = definition.InferShape(layer, inputs, new LayerChecks(_problems, i, layer) { OperandNames = operandNames });
            if (shape is null)
            {
                return shapes;
            }

            shapes[i] = new LayerShapeSlot(shape with { Sources = sources.ToEquatableArray() });
            if (layer.Kind == LayerKind.From)
            {
                current = sources[0]; // From names the tensor the next layer reads; it computes nothing
                continue;
            }

            tensors[layer.Name] = i;
            current = i;
        }

        return shapes;
    }

    /// <summary>
    /// The layers whose outputs this layer reads, in operand order: the current tensor; the one From names;
    /// for a merge the current tensor then the named ones, or exactly the named ones if the current tensor's
    /// own name is among them. Null after reporting a name that does not resolve.
    /// </summary>
    private int[]? Sources(int index, LayerSpec layer, LayerDefinition definition, int current, Dictionary<string, int> tensors)
    {
        if (layer.Kind != LayerKind.From && !definition.ReadsNamedTensors)
        {
            return new[] { current };
        }

        string currentName = _network.Layers[current].Name;
        bool listed = layer.TensorNames.Any(name => name == currentName);
        var sources = new List<int>();
        if (definition.ReadsNamedTensors && !listed)
        {
            sources.Add(current);
        }

        bool resolved = true;
        for (int k = 0; k < layer.TensorNames.Count; k++)
        {
            string name = layer.TensorNames[k];
            if (tensors.TryGetValue(name, out int source))
            {
                sources.Add(source);
                continue;
            }

            resolved = false;
            string argument = layer.Kind == LayerKind.From ? "name" : $"names[{k.ToString(CultureInfo.InvariantCulture)}]";
            string[] arguments = { argument, layer.Kind == LayerKind.From ? "name" : "names" };
            int later = IndexOfName(name, after: index);
            if (later >= 0)
            {
                Report(DiagnosticIds.ForwardTensorReference, index, arguments, LayerLabel(layer), name, (later + 1).ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                Report(DiagnosticIds.UnknownTensorName, index, arguments, LayerLabel(layer), name, NameHints.Nearest(name, tensors.Keys));
            }
        }

        return resolved ? sources.ToArray() : null;
    }

    /// <summary>Warnings for outputs nobody reads: a named tensor (CNN0024), or the end of a branch that does not reach the output (CNN0025).</summary>
    private void CheckReaders(LayerShapeSlot[] shapes)
    {
        if (shapes.Any(slot => slot.Shape is null))
        {
            return; // the errors come first; readers are only counted in a network that resolved
        }

        var readers = new int[shapes.Length];
        foreach (LayerShapeSlot slot in shapes)
        {
            foreach (int source in slot.Shape!.Sources)
            {
                readers[source]++;
            }
        }

        int last = shapes.Length - 1;
        for (int i = 0; i < last; i++)
        {
            LayerSpec layer = _network.Layers[i];
            if (readers[i] > 0 || layer.Kind == LayerKind.From)
            {
                continue;
            }

            if (layer.HasExplicitName)
            {
                Report(DiagnosticIds.UnreadTensor, i, new[] { "Name" }, layer.Name);
            }
            else
            {
                Report(DiagnosticIds.UnusedBranch, i, new string[0], layer.Name, _network.Layers[last].Name);
            }
        }
    }

    private int IndexOfName(string name, int after)
    {
        for (int i = after; i < _network.Layers.Count; i++)
        {
            if (_network.Layers[i].Kind != LayerKind.From && _network.Layers[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>How a layer is named in messages: its name, or <c>From</c> for a layer that names no tensor.</summary>
    private static string LayerLabel(LayerSpec layer) => layer.Kind == LayerKind.From ? "From" : layer.Name;

    private void Report(string id, int layerIndex, string[] arguments, params string[] messageArguments) =>
        _problems.Add(new ShapeProblem(id, layerIndex, arguments.ToEquatableArray(), messageArguments.ToEquatableArray()));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
