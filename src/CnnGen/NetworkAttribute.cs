using System;

namespace CnnGen;

/// <summary>
/// Marks a <c>partial class</c> as a network. The layer attributes on the same class, in source
/// order, describe the layers; the CnnGen generator checks every shape at compile time and emits
/// the forward and backward code.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
}
