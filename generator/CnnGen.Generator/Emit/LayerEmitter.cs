using System.Collections.Generic;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emit;

/// <summary>
/// Emits one layer kind's forward and backward methods side by side (llm.c style). Forward methods
/// are <c>{Name}Forward(int batchSize, bool training)</c>; backward methods are
/// <c>{Name}Backward(int batchSize)</c>, plus <c>bool computeInputGradient</c> for the layer that reads the
/// network input, whose gradient is computed only on request.
/// </summary>
internal abstract class LayerEmitter
{
    public static LayerEmitter For(LayerKind kind) => kind switch
    {
        LayerKind.Conv2D => ConvEmitter.Instance,
        LayerKind.MaxPool2D or LayerKind.AvgPool2D => PoolEmitter.Instance,
        LayerKind.Dense => DenseEmitter.Instance,
        LayerKind.Dropout => DropoutEmitter.Instance,
        LayerKind.Flatten => FlattenEmitter.Instance,
        _ => ActivationEmitter.Instance,
    };

    /// <summary>Private buffers beyond the input and output tensors.</summary>
    public virtual IEnumerable<LayerBuffer> Buffers(LayerPlan layer) => EmitContext.NoBuffers;

    /// <summary>One line that says what the layer does, after its shape comment.</summary>
    public abstract string Describe(LayerPlan layer);

    public abstract void EmitForward(SourceWriter writer, LayerPlan layer, EmitContext context);

    public abstract void EmitBackward(SourceWriter writer, LayerPlan layer, EmitContext context);

    /// <summary>The backward signature; the layer reading the network input takes the request flag.</summary>
    protected static string BackwardSignature(LayerPlan layer) => layer.ReadsNetworkInput
        ? $"private void {layer.MethodName}Backward(int batchSize, bool computeInputGradient)"
        : $"private void {layer.MethodName}Backward(int batchSize)";

    protected static string ForwardSignature(LayerPlan layer) =>
        $"private void {layer.MethodName}Forward(int batchSize, bool training)";

    /// <summary>Opens <c>if (computeInputGradient)</c> around input-gradient code of the first layer; returns whether it did.</summary>
    protected static bool OpenInputGradientGuard(SourceWriter writer, LayerPlan layer)
    {
        if (!layer.ReadsNetworkInput)
        {
            return false;
        }

        writer.Open("if (computeInputGradient)");
        return true;
    }
}
