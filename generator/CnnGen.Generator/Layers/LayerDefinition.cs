using System.Collections.Generic;
using CnnGen.Generator.Emit;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Layers;

/// <summary>
/// Everything CnnGen knows about one layer kind, in one class: how its attribute's arguments are read
/// and checked, the shape it produces from its inputs, its parameters (PyTorch names, shapes, fan-in),
/// and — through <see cref="LayerEmitter"/> — its buffers and its forward and backward code. The
/// pipeline (parser, shape inference, planner, emitter) asks the definition and never switches on the
/// kind; <see cref="LayerDefinitions"/> lists them all.
/// </summary>
internal abstract class LayerDefinition : LayerEmitter
{
    protected LayerDefinition(LayerKind kind) => Kind = kind;

    public LayerKind Kind { get; }

    /// <summary>The attribute class's name in namespace <c>CnnGen</c>: <c>Conv2DAttribute</c>.</summary>
    public string AttributeName => Kind + "Attribute";

    /// <summary>The prefix of default layer names (<c>conv</c> → <c>conv1</c>, <c>conv2</c>); empty for layers that name no tensor.</summary>
    public abstract string NamePrefix { get; }

    /// <summary>
    /// Whether the layer reads the tensors its attribute names (<c>Add</c>, <c>Concat</c>) rather than only the
    /// current one: the current tensor is the first operand unless its own name is listed, then the list is the order.
    /// </summary>
    public virtual bool ReadsNamedTensors => false;

    /// <summary>Whether the output is the input itself, reinterpreted (Flatten): no code, no memory.</summary>
    public virtual bool IsView => false;

    /// <summary>
    /// Whether an activation may overwrite this layer's output in place: true where backward does not read
    /// the layer's own output (it reads its input, or nothing). Activations and dropout read theirs.
    /// </summary>
    public virtual bool ActivationMayOverwriteOutput => false;

    /// <summary>
    /// Whether, once frozen, the layer that produces this one's input can take this layer into its own weight and
    /// bias (the planner checks the graph: that producer's output has no other reader); what it then needs to
    /// know, or null for a layer that never folds. BatchNorm2D folds, as a per-channel affine map at inference.
    /// </summary>
    public virtual BatchNormFold? FoldIntoProducer(LayerPlan layer) => null;

    /// <summary>Whether a frozen layer of this kind can take a following <see cref="FoldIntoProducer"/> layer into its weight and bias (Conv2D).</summary>
    public virtual bool TakesFoldedLayer => false;

    /// <summary>
    /// Whether this layer's code applies an <paramref name="activation"/> that runs in place on its output right after
    /// it (forward and backward), so the activation has no pass of its own: Conv2D any, Add a ReLU.
    /// </summary>
    public virtual bool FusesActivation(LayerKind activation) => false;

    /// <summary>What the layer reads, for the summary of a graph: <c>relu3 + stem</c> for an Add, else the tensor's name.</summary>
    public virtual string Operands(LayerPlan layer) => string.Join(", ", layer.OperandNames);

    /// <summary>Reads the layer-specific arguments; the name and kind are read by the parser.</summary>
    public virtual LayerSpec Read(LayerSpec spec, ArgumentValues arguments) => spec;

    /// <summary>Range checks on the arguments alone (filters ≥ 1, 0 ≤ p &lt; 1, ...).</summary>
    public virtual void CheckArguments(LayerSpec layer, LayerChecks checks)
    {
    }

    /// <summary>The output shape for these input shapes (one per operand), or null after reporting why there is none.</summary>
    public abstract LayerShape? InferShape(LayerSpec layer, IReadOnlyList<TensorShape> inputs, LayerChecks checks);

    /// <summary>The trainable parameters this layer owns, or null when it has none.</summary>
    public virtual LayerParameters? Parameters(LayerSpec layer, LayerShape shape) => null;

    /// <summary>The non-trainable state this layer keeps (BatchNorm's running statistics), or null.</summary>
    public virtual LayerState? State(LayerSpec layer, LayerShape shape) => null;

    /// <summary>
    /// The statements that give the weight and bias (spans <paramref name="weight"/>, <paramref name="bias"/>; bias
    /// <c>default</c> when there is none) PyTorch's default values: by default <c>kaiming_uniform_(a = √5)</c> and
    /// the matching uniform bias, scaled by the fan-in.
    /// </summary>
    public virtual string InitializeParameters(LayerPlan layer, string weight, string bias) =>
        $"{Code.Kernels}ParameterInit.PyTorchDefault({weight}, {bias}, fanIn: {SourceWriter.Int(layer.FanIn)}, random);";
}

/// <summary>
/// A layer's non-trainable state: tensors of <paramref name="Length"/> floats each, named <c>{name}.{suffix}</c>
/// in <c>state_dict</c> order, starting at <paramref name="Initial"/> values; and whether it counts the
/// training batches it has seen (<c>num_batches_tracked</c>, a 64-bit integer outside <c>State</c>).
/// </summary>
internal sealed record LayerState(EquatableArray<string> Suffixes, EquatableArray<double> Initial, int Length, bool CountsBatches);

/// <summary>
/// A layer's trainable parameters as PyTorch lays them out: <c>{name}.weight</c> of <paramref name="WeightShape"/>,
/// then, unless <paramref name="BiasCount"/> is 0, <c>{name}.bias</c>; <paramref name="FanIn"/> scales their default init.
/// </summary>
internal sealed record LayerParameters(EquatableArray<int> WeightShape, int BiasCount, int FanIn)
{
    public int WeightCount
    {
        get
        {
            int count = 1;
            foreach (int extent in WeightShape)
            {
                count *= extent;
            }

            return count;
        }
    }
}
