using System.Collections.Generic;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Shapes;

/// <summary>Structural checks: one <c>[Input]</c>, first; at least one layer; valid, unique names.</summary>
internal sealed partial class ShapeInference
{
    /// <summary>Returns the index of the first <c>[Input]</c>, or −1.</summary>
    private int CheckStructure()
    {
        var inputs = new List<int>();
        for (int i = 0; i < _network.Layers.Count; i++)
        {
            if (_network.Layers[i].Kind == LayerKind.Input)
            {
                inputs.Add(i);
            }
        }

        for (int duplicate = 1; duplicate < inputs.Count; duplicate++)
        {
            Report(DiagnosticIds.DuplicateInput, inputs[duplicate], new string[0], _network.ClassName, Invariant(inputs.Count));
        }

        int first = inputs.Count > 0 ? inputs[0] : -1;
        if (first < 0)
        {
            Report(DiagnosticIds.MissingInput, -1, new string[0], _network.ClassName);
            return -1;
        }

        if (first > 0)
        {
            Report(DiagnosticIds.MisplacedInput, first, new string[0], _network.ClassName, _network.Layers[0].Name);
        }

        if (first == _network.Layers.Count - 1)
        {
            Report(DiagnosticIds.NoLayers, -1, new string[0], _network.ClassName);
        }

        return first;
    }

    private void CheckNames()
    {
        var seen = new Dictionary<string, int>();
        bool inputSeen = false;
        for (int i = 0; i < _network.Layers.Count; i++)
        {
            LayerSpec layer = _network.Layers[i];
            if (layer.Kind == LayerKind.From)
            {
                continue; // names the tensor it reads, not one of its own
            }

            if (layer.Kind == LayerKind.Input)
            {
                if (inputSeen)
                {
                    continue; // a second [Input] is reported once, as CNN0007
                }

                inputSeen = true;
            }

            if (!IsValidName(layer.Name))
            {
                Report(DiagnosticIds.InvalidLayerName, i, new[] { "Name" }, layer.Name);
                continue;
            }

            if (seen.TryGetValue(layer.Name, out int earlier))
            {
                Report(DiagnosticIds.DuplicateLayerName, i, new[] { "Name" }, layer.Name, Invariant(earlier + 1));
            }
            else
            {
                seen.Add(layer.Name, i);
            }
        }
    }

    private static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
