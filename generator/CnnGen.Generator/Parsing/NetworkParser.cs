using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator.Parsing;

/// <summary>Turns a <c>[Network]</c> class's attributes into a <see cref="ParseResult"/>.</summary>
internal static class NetworkParser
{
    private static readonly Dictionary<string, LayerKind> KindsByAttribute = new()
    {
        ["InputAttribute"] = LayerKind.Input,
        ["Conv2DAttribute"] = LayerKind.Conv2D,
        ["MaxPool2DAttribute"] = LayerKind.MaxPool2D,
        ["AvgPool2DAttribute"] = LayerKind.AvgPool2D,
        ["FlattenAttribute"] = LayerKind.Flatten,
        ["DenseAttribute"] = LayerKind.Dense,
        ["DropoutAttribute"] = LayerKind.Dropout,
        ["ReluAttribute"] = LayerKind.Relu,
        ["SigmoidAttribute"] = LayerKind.Sigmoid,
        ["TanhAttribute"] = LayerKind.Tanh,
        ["SoftmaxAttribute"] = LayerKind.Softmax,
    };

    /// <summary>The layer index under which arguments of <c>[Network]</c> itself are located.</summary>
    public const int ClassLevel = -1;

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (ClassDeclarationSyntax)context.TargetNode;
        LocationInfo? classLocation = LocationInfo.From(declaration.Identifier.GetLocation());
        EquatableArray<DiagnosticInfo> classProblems = CheckClass(type, declaration, classLocation);

        var layers = new List<LayerSpec>();
        var layerLocations = new List<LocationInfoSlot>();
        var argumentLocations = new List<ArgumentLocation>();
        var counters = new Dictionary<string, int>();
        bool bound = true;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!TryGetKind(attribute, out LayerKind kind))
            {
                continue;
            }

            if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error))
            {
                bound = false; // the compiler reports the binding error itself
                continue;
            }

            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            layers.Add(ReadLayer(kind, attribute, DefaultName(kind, counters)));
            layerLocations.Add(new LocationInfoSlot(LocationInfo.From(syntax?.GetLocation())));
            if (syntax is not null)
            {
                AddArgumentLocations(layers.Count - 1, attribute, syntax, argumentLocations);
            }
        }

        string? weightsFile = null;
        long maxArenaBytes = 0;
        foreach (AttributeData network in context.Attributes)
        {
            foreach (KeyValuePair<string, TypedConstant> named in network.NamedArguments)
            {
                if (named.Key == "Weights")
                {
                    weightsFile = named.Value.Value as string;
                }
                else if (named.Key == "MaxArenaBytes" && named.Value.Value is long budget)
                {
                    maxArenaBytes = budget;
                }
            }

            if (network.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList: not null } networkSyntax)
            {
                AddArgumentLocations(ClassLevel, network, networkSyntax, argumentLocations);
            }
        }

        string ns = type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString();
        NetworkSpec? spec = bound ? new NetworkSpec(ns, type.Name, layers.ToEquatableArray()) { WeightsFile = weightsFile, MaxArenaBytes = maxArenaBytes } : null;
        return new ParseResult(spec, classLocation, layerLocations.ToEquatableArray(), argumentLocations.ToEquatableArray(), classProblems);
    }

    private static EquatableArray<DiagnosticInfo> CheckClass(INamedTypeSymbol type, ClassDeclarationSyntax declaration, LocationInfo? location)
    {
        var problems = new List<DiagnosticInfo>();
        void Add(string id, params string[] arguments) => problems.Add(new DiagnosticInfo(id, location, arguments.ToEquatableArray()));

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            Add(DiagnosticIds.ClassNotPartial, type.Name);
        }

        if (type.ContainingType is not null)
        {
            Add(DiagnosticIds.UnsupportedClassShape, type.Name, "nested in " + type.ContainingType.Name, "declare it directly in a namespace");
        }

        if (type.IsGenericType)
        {
            Add(DiagnosticIds.UnsupportedClassShape, type.Name, "generic", "remove its type parameters");
        }

        if (type.IsStatic)
        {
            Add(DiagnosticIds.UnsupportedClassShape, type.Name, "static", "remove the static modifier; a network holds its parameters");
        }

        return problems.ToEquatableArray();
    }

    private static bool TryGetKind(AttributeData attribute, out LayerKind kind)
    {
        kind = default;
        INamedTypeSymbol? type = attribute.AttributeClass;
        return type is { ContainingNamespace: { Name: "CnnGen", ContainingNamespace.IsGlobalNamespace: true } }
            && KindsByAttribute.TryGetValue(type.Name, out kind);
    }

    private static string DefaultName(LayerKind kind, Dictionary<string, int> counters)
    {
        string prefix = kind.NamePrefix();
        if (kind == LayerKind.Input)
        {
            return prefix;
        }

        counters.TryGetValue(prefix, out int count);
        counters[prefix] = ++count;
        return prefix + count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static LayerSpec ReadLayer(LayerKind kind, AttributeData attribute, string defaultName)
    {
        var values = new Dictionary<string, TypedConstant>();
        ImmutableArray<IParameterSymbol> parameters = attribute.AttributeConstructor!.Parameters;
        for (int i = 0; i < parameters.Length && i < attribute.ConstructorArguments.Length; i++)
        {
            values[parameters[i].Name] = attribute.ConstructorArguments[i];
        }

        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            values[named.Key] = named.Value;
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out TypedConstant c) && c.Value is int v ? v : fallback;

        string? explicitName = values.TryGetValue("Name", out TypedConstant nameConstant) ? nameConstant.Value as string : null;
        int kernel = Int("kernel", 0);
        bool isPool = kind is LayerKind.MaxPool2D or LayerKind.AvgPool2D;
        return new LayerSpec(kind, explicitName ?? defaultName, explicitName is not null)
        {
            Channels = kind == LayerKind.Input ? Int("channels", 0) : Int("filters", 0),
            Height = Int("height", 0),
            Width = Int("width", 0),
            KernelHeight = isPool ? Int("size", 0) : Int("kernelHeight", kernel),
            KernelWidth = isPool ? Int("size", 0) : Int("kernelWidth", kernel),
            Stride = Int("Stride", isPool ? 0 : 1),
            StrideHeight = Int("StrideHeight", 0),
            StrideWidth = Int("StrideWidth", 0),
            Padding = Int("Padding", 0),
            PaddingMode = (PaddingModeSpec)Int("PaddingMode", 0),
            Dilation = Int("Dilation", 1),
            Units = Int("units", 0),
            Probability = values.TryGetValue("probability", out TypedConstant p) && p.Value is double d ? d : 0,
        };
    }

    private static void AddArgumentLocations(int layerIndex, AttributeData attribute, AttributeSyntax syntax, List<ArgumentLocation> locations)
    {
        if (syntax.ArgumentList is null)
        {
            return;
        }

        ImmutableArray<IParameterSymbol> parameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
        int position = 0;
        foreach (AttributeArgumentSyntax argument in syntax.ArgumentList.Arguments)
        {
            string? name = argument.NameEquals?.Name.Identifier.ValueText
                ?? argument.NameColon?.Name.Identifier.ValueText
                ?? (position < parameters.Length ? parameters[position].Name : null);
            if (argument.NameEquals is null && argument.NameColon is null)
            {
                position++;
            }

            if (name is not null && LocationInfo.From(argument.GetLocation()) is LocationInfo location)
            {
                locations.Add(new ArgumentLocation(layerIndex, name, location));
            }
        }
    }
}
