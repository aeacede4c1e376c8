using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator.Parsing;

/// <summary>Turns a <c>[Network]</c> class's attributes into a <see cref="ParseResult"/>.</summary>
internal static class NetworkParser
{
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
        var declarations = new HashSet<ClassDeclarationSyntax>();
        bool bound = true;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!TryGetDefinition(attribute, out LayerDefinition definition))
            {
                continue;
            }

            if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error))
            {
                bound = false; // the compiler reports the binding error itself
                continue;
            }

            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            layers.Add(ReadLayer(definition, attribute, DefaultName(definition, counters)));
            if (syntax?.Parent?.Parent is ClassDeclarationSyntax holder)
            {
                declarations.Add(holder);
            }

            layerLocations.Add(new LocationInfoSlot(LocationInfo.From(syntax?.GetLocation())));
            if (syntax is not null)
            {
                AddArgumentLocations(layers.Count - 1, attribute, syntax, argumentLocations);
            }
        }

        if (declarations.Count > 1)
        {
            // Source order is layer order only within one declaration: across partial files it is undefined.
            classProblems = classProblems.Concat(new[]
            {
                new DiagnosticInfo(DiagnosticIds.LayersSplitAcrossDeclarations, classLocation, new[] { type.Name, declarations.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }.ToEquatableArray()),
            }).ToEquatableArray();
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

    private static bool TryGetDefinition(AttributeData attribute, out LayerDefinition definition)
    {
        definition = null!;
        INamedTypeSymbol? type = attribute.AttributeClass;
        return type is { ContainingNamespace: { Name: "CnnGen", ContainingNamespace.IsGlobalNamespace: true } }
            && LayerDefinitions.TryGetByAttribute(type.Name, out definition);
    }

    /// <summary><c>conv1</c>, <c>conv2</c>, <c>pool1</c>...; the input is <c>input</c>, and From names no tensor.</summary>
    private static string DefaultName(LayerDefinition definition, Dictionary<string, int> counters)
    {
        string prefix = definition.NamePrefix;
        if (definition.Kind == LayerKind.Input || prefix.Length == 0)
        {
            return prefix;
        }

        counters.TryGetValue(prefix, out int count);
        counters[prefix] = ++count;
        return prefix + count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The attribute's constructor and named arguments as plain values, read by the kind's definition.</summary>
    private static LayerSpec ReadLayer(LayerDefinition definition, AttributeData attribute, string defaultName)
    {
        var values = new Dictionary<string, object?>();
        ImmutableArray<IParameterSymbol> parameters = attribute.AttributeConstructor!.Parameters;
        for (int i = 0; i < parameters.Length && i < attribute.ConstructorArguments.Length; i++)
        {
            values[parameters[i].Name] = ValueOf(attribute.ConstructorArguments[i]);
        }

        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            values[named.Key] = ValueOf(named.Value);
        }

        string? explicitName = values.TryGetValue("Name", out object? name) ? name as string : null;
        var spec = new LayerSpec(definition.Kind, explicitName ?? defaultName, explicitName is not null);
        return definition.Read(spec, new ArgumentValues(values));
    }

    /// <summary>A constant as a plain value; an array (a <c>params string[]</c>) as a string array.</summary>
    private static object? ValueOf(TypedConstant constant) =>
        constant.Kind == TypedConstantKind.Array
            ? constant.Values.Select(element => element.Value as string ?? string.Empty).ToArray()
            : constant.Value;

    private static string? PositionalName(ImmutableArray<IParameterSymbol> parameters, int position) =>
        position < parameters.Length ? parameters[position].Name
        : parameters.Length > 0 && parameters[parameters.Length - 1].IsParams ? parameters[parameters.Length - 1].Name
        : null;

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
                ?? PositionalName(parameters, position);
            bool positional = argument.NameEquals is null && argument.NameColon is null;
            if (name is not null && LocationInfo.From(argument.GetLocation()) is LocationInfo location)
            {
                int last = parameters.Length - 1;
                if (positional && last >= 0 && position >= last && parameters[last].IsParams)
                {
                    // Each element of a params array is located on its own: names[0], names[1], ...
                    int element = position - last;
                    locations.Add(new ArgumentLocation(layerIndex, $"{name}[{element.ToString(System.Globalization.CultureInfo.InvariantCulture)}]", location));
                    if (element > 0)
                    {
                        name = null;
                    }
                }

                if (name is not null)
                {
                    locations.Add(new ArgumentLocation(layerIndex, name, location));
                }
            }

            if (positional)
            {
                position++;
            }
        }
    }
}
