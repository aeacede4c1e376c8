using System.Linq;
using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Model;

/// <summary>A diagnostic as plain values (descriptor ID, location, message arguments).</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArguments)
{
    public Diagnostic ToDiagnostic(Compilation compilation) =>
        Diagnostic.Create(
            Diagnostics.DiagnosticDescriptors.ById(Id),
            Location?.ToLocation(compilation),
            MessageArguments.Cast<object>().ToArray());
}
