using CnnGen.Generator.Tests.Infrastructure;
using CnnGen.Generator.Tests.Networks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator.Tests;

/// <summary>
/// Which code a frozen network runs, read from the generated source: starting from the layer calls in
/// <c>RunLayers</c> that are not under <c>if (!_frozen)</c>, and following every method those reach (the parallel
/// bodies too), no code calls a BatchNorm kernel when every BatchNorm folds; one whose input has another reader, or
/// whose output is the network's, keeps running.
/// </summary>
public sealed class BatchNormFoldTests
{
    [Fact]
    public void Frozen_ResNet8_runs_no_batch_norm_kernel()
    {
        GeneratedClass resnet = GeneratedClass.Of(GeneratorHarness.RunClean(ReferenceNetworks.Source), "CnnGen.Tests.Networks.ResNet8.g.cs");

        Assert.Equal(9, resnet.BatchNormMethods.Count);
        Assert.Empty(resnet.Reachable(frozen: true).Intersect(resnet.BatchNormMethods));
        Assert.Equal(resnet.BatchNormMethods.Order(), resnet.Reachable(frozen: false).Intersect(resnet.BatchNormMethods).Order());
    }

    [Fact]
    public void A_batch_norm_whose_input_has_another_reader_or_whose_output_is_the_networks_keeps_running()
    {
        GeneratedClass net = GeneratedClass.Of(GeneratorHarness.RunClean(DiagnosticAssert.Declare("""
            [Input(2, 6, 6)]
            [Conv2D(4, 3, Padding = 1, Name = "c"), BatchNorm2D, Add("c"), Relu]
            [Conv2D(4, 3, Padding = 1, Name = "folded"), BatchNorm2D, Relu]
            [Conv2D(4, 3, Padding = 1), BatchNorm2D(Name = "last")]
            """)), "Tests.Net.g.cs");

        Assert.Equal(["Bn1Forward", "Bn2Forward", "LastForward"], net.BatchNormMethods.Order());
        Assert.Equal(["Bn1Forward", "LastForward"], net.Reachable(frozen: true).Intersect(net.BatchNormMethods).Order());
        Assert.Equal(["_foldedFolded"], System.Text.RegularExpressions.Regex.Matches(net.Source, @"private float\[\]\? (_\w+Folded);").Select(match => match.Groups[1].Value));
    }

    /// <summary>A generated network class: its methods, and which of them run a BatchNorm kernel.</summary>
    private sealed class GeneratedClass
    {
        private readonly Dictionary<string, MethodDeclarationSyntax> _methods;

        private GeneratedClass(string source)
        {
            Source = source;
            _methods = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
                .GroupBy(method => method.Identifier.Text).ToDictionary(group => group.Key, group => group.First());
            BatchNormMethods = _methods.Values
                .Where(method => method.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Any(access => access.ToString().EndsWith("Kernels.BatchNorm.ForwardInference", StringComparison.Ordinal)))
                .Select(method => method.Identifier.Text).ToList();
        }

        public string Source { get; }


        public List<string> BatchNormMethods { get; }

        public static GeneratedClass Of(GeneratorRun run, string hintName) =>
            new(run.Result.GeneratedSources.Single(source => source.HintName == hintName).SourceText.ToString());

        /// <summary>The methods of this class an inference forward reaches from <c>RunLayers</c>, frozen or not, through calls and method groups.</summary>
        public HashSet<string> Reachable(bool frozen)
        {
            var reached = new HashSet<string>();
            var pending = new Stack<string>(LayerCalls(frozen));
            while (pending.TryPop(out string? name))
            {
                if (!reached.Add(name))
                {
                    continue;
                }

                foreach (IdentifierNameSyntax identifier in _methods[name].DescendantNodes().OfType<IdentifierNameSyntax>())
                {
                    bool member = identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier; // Kernels.X.Forward is not this class's Forward
                    if (!member && _methods.ContainsKey(identifier.Identifier.Text))
                    {
                        pending.Push(identifier.Identifier.Text);
                    }
                }
            }

            return reached;
        }

        /// <summary>The layer methods <c>RunLayers</c> calls, leaving out those under <c>if (!_frozen)</c> when frozen.</summary>
        private IEnumerable<string> LayerCalls(bool frozen) =>
            _methods["RunLayers"].DescendantNodes().OfType<InvocationExpressionSyntax>()
                .Where(call => !frozen || !call.Ancestors().OfType<IfStatementSyntax>().Any(branch => branch.Condition.ToString() == "!_frozen"))
                .Select(call => call.Expression.ToString())
                .Where(_methods.ContainsKey);
    }
}
