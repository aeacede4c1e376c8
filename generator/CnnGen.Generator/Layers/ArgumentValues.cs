using System.Collections.Generic;

namespace CnnGen.Generator.Layers;

/// <summary>
/// The arguments written on one attribute, by constructor parameter or property name, as plain values
/// (int, double, bool, string, string[]): what a <see cref="LayerDefinition"/> reads, free of Roslyn.
/// </summary>
internal sealed class ArgumentValues
{
    private readonly Dictionary<string, object?> _values;

    public ArgumentValues(Dictionary<string, object?> values) => _values = values;

    public int Int(string name, int fallback) => _values.TryGetValue(name, out object? value) && value is int number ? number : fallback;

    public double Double(string name, double fallback) => _values.TryGetValue(name, out object? value) && value is double number ? number : fallback;

    public bool Bool(string name, bool fallback) => _values.TryGetValue(name, out object? value) && value is bool flag ? flag : fallback;

    /// <summary>A <c>params string[]</c> argument; null entries become empty names (reported as unknown).</summary>
    public string[] Strings(string name) => _values.TryGetValue(name, out object? value) && value is string[] strings ? strings : new string[0];

    public string? String(string name) => _values.TryGetValue(name, out object? value) ? value as string : null;
}
