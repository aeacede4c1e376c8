using System.Collections.Generic;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Layers;

/// <summary><c>[Input(c, h, w)]</c>: the network's input, tensor 0, named <c>input</c>. It computes nothing.</summary>
internal sealed class InputLayer : LayerDefinition
{
    public static readonly InputLayer Instance = new();

    private InputLayer()
        : base(LayerKind.Input)
    {
    }

    public override string NamePrefix => "input";

    public override LayerSpec Read(LayerSpec spec, ArgumentValues arguments) => spec with
    {
        Channels = arguments.Int("channels", 0),
        Height = arguments.Int("height", 0),
        Width = arguments.Int("width", 0),
    };

    public override void CheckArguments(LayerSpec layer, LayerChecks checks)
    {
        checks.AtLeast("channels", layer.Channels, 1);
        checks.AtLeast("height", layer.Height, 1);
        checks.AtLeast("width", layer.Width, 1);
    }

    public override LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks) =>
        new(inputs[0], inputs[0]);

    public override string Describe(LayerPlan layer) => "the network's input";

    public override void EmitForward(SourceWriter writer, LayerPlan layer, EmitContext context)
    {
    }

    public override void EmitBackward(SourceWriter writer, LayerPlan layer, EmitContext context)
    {
    }
}
