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
    /// <summary>
    /// A safetensors file (PyTorch's <c>safetensors.torch.save_file(model.state_dict())</c>) to compile
    /// into the assembly as the network's initial parameters. Give the file to the compiler as an
    /// <c>&lt;AdditionalFiles Include="lenet5.safetensors" /&gt;</c> item; every tensor name and shape is
    /// checked at build time, and the weights become read-only data in the assembly that inference
    /// reads in place (no copy at start-up; the first write through <c>Parameters</c> copies them).
    /// </summary>
    public string? Weights { get; set; }

    /// <summary>
    /// A budget, in bytes, for the activation memory of inference on one sample
    /// (<c>InferenceArenaBytes</c>); a network that needs more is a compile error (CNN0021).
    /// 0, the default, sets no budget.
    /// </summary>
    public long MaxArenaBytes { get; set; }
}
