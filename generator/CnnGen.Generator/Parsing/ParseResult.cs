using CnnGen.Generator.Model;

namespace CnnGen.Generator.Parsing;

/// <summary>
/// What the parser read from one <c>[Network]</c> class: the spec (null when an attribute did not
/// bind, which the compiler already reports), where each attribute and argument is, and problems
/// only Roslyn can see (partial, nesting, generics).
/// </summary>
internal sealed record ParseResult(
    NetworkSpec? Spec,
    LocationInfo? ClassLocation,
    EquatableArray<LocationInfoSlot> LayerLocations,
    EquatableArray<ArgumentLocation> ArgumentLocations,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    public bool CanGenerate => Spec is not null && Diagnostics.Count == 0;
}

/// <summary>A possibly missing location, so it can live in an <see cref="EquatableArray{T}"/>.</summary>
internal sealed record LocationInfoSlot(LocationInfo? Location);
