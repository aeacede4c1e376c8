using System;

namespace CnnGen;

/// <summary>Base of every layer attribute.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer's name in <c>Summary</c>, diagnostics and weight files (e.g. <c>"conv1"</c> maps to
    /// <c>conv1.weight</c> / <c>conv1.bias</c>). Default: kind plus a counter per kind, such as
    /// <c>conv1</c>, <c>pool2</c>, <c>dense1</c>.
    /// </summary>
    public string? Name { get; set; }
}
