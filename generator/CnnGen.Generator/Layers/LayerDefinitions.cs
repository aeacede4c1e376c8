using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Layers;

/// <summary>The registry: one definition per layer kind. Adding a kind is one file in Layers/ and one line here.</summary>
internal static class LayerDefinitions
{
    private static readonly LayerDefinition[] All =
    {
        InputLayer.Instance,
        Conv2DLayer.Instance,
        PoolLayer.Max,
        PoolLayer.Average,
        GlobalAvgPool2DLayer.Instance,
        FlattenLayer.Instance,
        DenseLayer.Instance,
        DropoutLayer.Instance,
        ActivationLayer.Relu,
        ActivationLayer.Sigmoid,
        ActivationLayer.Tanh,
        ActivationLayer.Softmax,
        FromLayer.Instance,
        BatchNorm2DLayer.Instance,
        AddLayer.Instance,
        ConcatLayer.Instance,
    };

    private static readonly Dictionary<LayerKind, LayerDefinition> ByKind = All.ToDictionary(definition => definition.Kind);

    private static readonly Dictionary<string, LayerDefinition> ByAttributeName = All.ToDictionary(definition => definition.AttributeName);

    public static LayerDefinition For(LayerKind kind) => ByKind[kind];

    /// <summary>The definition whose attribute class is named <paramref name="attributeName"/>, if any.</summary>
    public static bool TryGetByAttribute(string attributeName, out LayerDefinition definition) =>
        ByAttributeName.TryGetValue(attributeName, out definition!);
}
