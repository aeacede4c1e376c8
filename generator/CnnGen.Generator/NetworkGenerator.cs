using System;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Text;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Parsing;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Weights;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace CnnGen.Generator;

/// <summary>
/// The pipeline only: <c>[Network]</c> classes → <see cref="NetworkParser"/> → <see cref="Analyzer"/>
/// (shapes and plan) → diagnostics and source, through separate outputs so that an edit that moves
/// a diagnostic does not re-emit code.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    private static readonly string Version =
        typeof(NetworkGenerator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<ImmutableArray<CompiledWeightsFile>> weightFiles = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(CompiledWeightsFile.Extension, StringComparison.OrdinalIgnoreCase))
            .Select(static (text, cancellationToken) => WeightsFileReader.Read(text.Path, cancellationToken))
            .WithTrackingName(TrackingNames.WeightFiles)
            .Collect();

        IncrementalValuesProvider<Analysis> analyses = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "CnnGen.NetworkAttribute",
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: NetworkParser.Parse)
            .WithTrackingName(TrackingNames.Parse)
            .Combine(weightFiles)
            .Select(static (pair, _) => Analyzer.Analyze(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Analyze);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = analyses
            .Select(static (analysis, _) => analysis.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        // Combined with the compilation only to turn locations back into syntax-tree locations,
        // which #pragma suppression needs; the analysis above stays cached.
        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (output, pair) =>
        {
            foreach (DiagnosticInfo diagnostic in pair.Left)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic(pair.Right));
            }
        });

        IncrementalValuesProvider<NetworkPlan> plans = analyses
            .Where(static analysis => analysis.Plan is not null)
            .Select(static (analysis, _) => analysis.Plan!)
            .WithTrackingName(TrackingNames.Plan);
        context.RegisterSourceOutput(plans, static (output, plan) =>
        {
            string hint = (plan.Namespace.Length > 0 ? plan.Namespace + "." : string.Empty) + plan.ClassName + ".g.cs";
            output.AddSource(hint, SourceText.From(NetworkEmitter.Emit(plan, Version), Encoding.UTF8));
        });
    }
}
