using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Diagnostics;

/// <summary>The catalog of every diagnostic CnnGen reports. One page per ID in docs/diagnostics.</summary>
internal static class DiagnosticDescriptors
{
    private const string ShapeCategory = "CnnGen.Shape";
    private const string UsageCategory = "CnnGen.Usage";
    private const string WeightsCategory = "CnnGen.Weights";

    public static readonly DiagnosticDescriptor ConvOutputNotWhole = Create(
        DiagnosticIds.ConvOutputNotWhole,
        "Convolution output size is not a whole number",
        "{0}: output {1} {2} is not a whole number; {3} would fit",
        ShapeCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PoolOutputNotWhole = Create(
        DiagnosticIds.PoolOutputNotWhole,
        "Pooling output size is not a whole number",
        "{0}: output {1} {2} is not a whole number; it is floored to {3} as in PyTorch, so the last {4} of the input {5} ignored; {6}",
        ShapeCategory,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor OutputBelowOne = Create(
        DiagnosticIds.OutputBelowOne,
        "Layer output size is below 1",
        "{0}: output {1} {2} is below 1: the window spans {3} pixels but the padded input has {4}; {5}",
        ShapeCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ArgumentOutOfRange = Create(
        DiagnosticIds.ArgumentOutOfRange,
        "Layer argument is out of range",
        "{0}: {1} = {2} is out of range; {3}",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DenseNeedsVector = Create(
        DiagnosticIds.DenseNeedsVector,
        "Dense layer after an image tensor",
        "{0}: Dense needs a vector but its input is {1}; insert [Flatten] before it (it would get {2} features)",
        ShapeCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MissingInput = Create(
        DiagnosticIds.MissingInput,
        "Network has no Input",
        "{0}: the network has no [Input]; add [Input(channels, height, width)] before the first layer",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DuplicateInput = Create(
        DiagnosticIds.DuplicateInput,
        "Network has more than one Input",
        "{0}: [Input] appears {1} times; keep only the first",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MisplacedInput = Create(
        DiagnosticIds.MisplacedInput,
        "Input is not the first layer",
        "{0}: [Input] must come first, but {1} comes before it; move [Input] to the top",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DuplicateLayerName = Create(
        DiagnosticIds.DuplicateLayerName,
        "Duplicate layer name",
        "{0}: the name is already used by layer {1}; give each layer a unique Name",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ClassNotPartial = Create(
        DiagnosticIds.ClassNotPartial,
        "Network class is not partial",
        "{0}: a [Network] class must be partial so the generated half can be added; add the partial modifier",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedClassShape = Create(
        DiagnosticIds.UnsupportedClassShape,
        "Network class shape is not supported",
        "{0}: a [Network] class cannot be {1}; {2}",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NoLayers = Create(
        DiagnosticIds.NoLayers,
        "Network has no layers",
        "{0}: the network has no layers after [Input]; add at least one layer",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LayerNeedsImage = Create(
        DiagnosticIds.LayerNeedsImage,
        "Layer needs an image input",
        "{0}: {1} needs an image (channels, height, width) but its input is the vector {2}; move it before [Flatten]/[Dense]",
        ShapeCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ConflictingPadding = Create(
        DiagnosticIds.ConflictingPadding,
        "Padding settings conflict",
        "{0}: {1}; {2}",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidLayerName = Create(
        DiagnosticIds.InvalidLayerName,
        "Layer name is not valid",
        "Layer name \"{0}\" is not valid: it becomes part of weight names such as {0}.weight; use letters, digits and '_', starting with a letter or '_'",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WeightsFileNotFound = Create(
        DiagnosticIds.WeightsFileNotFound,
        "Weights file is not an AdditionalFiles item",
        "{0}: the weights file \"{1}\" is not among the compiler's additional files; add <AdditionalFiles Include=\"{1}\" /> to the project",
        WeightsCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WeightsFileUnreadable = Create(
        DiagnosticIds.WeightsFileUnreadable,
        "Weights file cannot be read",
        "{0}: the weights file \"{1}\" cannot be used: {2}",
        WeightsCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WeightsTensorMissing = Create(
        DiagnosticIds.WeightsTensorMissing,
        "Weights file lacks a tensor of the network",
        "{0}: the weights file \"{1}\" has no tensor {2}; the network needs it with shape {3}",
        WeightsCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WeightsShapeMismatch = Create(
        DiagnosticIds.WeightsShapeMismatch,
        "Weights tensor has the wrong shape",
        "{0}: tensor {2} in \"{1}\" has shape {3} but the network expects {4}",
        WeightsCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WeightsTensorUnexpected = Create(
        DiagnosticIds.WeightsTensorUnexpected,
        "Weights file has a tensor the network does not use",
        "{0}: tensor {2} {3} in \"{1}\" matches no parameter of the network and is ignored; check the layer names",
        WeightsCategory,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ArenaOverBudget = Create(
        DiagnosticIds.ArenaOverBudget,
        "Inference memory exceeds MaxArenaBytes",
        "{0}: inference of one sample needs {1} bytes of activation memory ({2} bytes of tensors, peak at {3}, and {4} bytes of convolution work memory: im2col columns and packed weights), over MaxArenaBytes = {5}; {6}",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownTensorName = Create(
        DiagnosticIds.UnknownTensorName,
        "No tensor has this name",
        "{0}: no tensor is named '{1}'{2}",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ForwardTensorReference = Create(
        DiagnosticIds.ForwardTensorReference,
        "Tensor is read before the layer that makes it",
        "{0}: '{1}' is made later, by layer {2}; a layer can only read tensors made above it (source order is layer order)",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnreadTensor = Create(
        DiagnosticIds.UnreadTensor,
        "Named tensor is never read",
        "{0}: the tensor is named but no layer reads it and it is not the network's output; it is computed for nothing (read it with From, Add or Concat, or remove the layers)",
        UsageCategory,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnusedBranch = Create(
        DiagnosticIds.UnusedBranch,
        "Branch output is never used",
        "{0}: no layer reads this output and it is not the network's output ({1} is): the branch ending here is computed for nothing; name it and merge it with Add or Concat, or remove it",
        UsageCategory,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor MergeShapeMismatch = Create(
        DiagnosticIds.MergeShapeMismatch,
        "Merged tensors do not fit together",
        "{0}: {1} needs {2}, but '{3}' is {4} and '{5}' is {6}{7}",
        ShapeCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = Create(
        DiagnosticIds.LayersSplitAcrossDeclarations,
        "Layer attributes are split over several partial declarations",
        "{0}: layer attributes appear on {1} partial declarations; source order is layer order, which is only defined within one declaration: put all layer attributes on one",
        UsageCategory,
        DiagnosticSeverity.Error);

    private static readonly Dictionary<string, DiagnosticDescriptor> All = typeof(DiagnosticDescriptors)
        .GetFields()
        .Where(field => field.FieldType == typeof(DiagnosticDescriptor))
        .Select(field => (DiagnosticDescriptor)field.GetValue(null)!)
        .ToDictionary(descriptor => descriptor.Id, StringComparer.Ordinal);

    public static DiagnosticDescriptor ById(string id) => All[id];

    public static IEnumerable<DiagnosticDescriptor> Catalog => All.Values.OrderBy(d => d.Id, StringComparer.Ordinal);

    private static DiagnosticDescriptor Create(string id, string title, string format, string category, DiagnosticSeverity severity) =>
        new(id, title, format, category, severity, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

    private static string HelpLink(string id) => $"https://github.com/cnngen/cnngen/blob/main/docs/diagnostics/{id}.md";
}
