using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;
using CnnGen.Generator.Rules;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Planning;

/// <summary>
/// Everything the emitter needs, as plain values: the class to complete, the layers with their
/// shapes, tensors and parameter offsets. This is the model the source output is cached on.
/// </summary>
internal sealed record NetworkPlan(
    string Namespace,
    string ClassName,
    string InputName,
    TensorShape InputShape,
    EquatableArray<LayerPlan> Layers,
    EquatableArray<TensorPlan> Tensors,
    int ParameterCount)
{
    public int InputLength => InputShape.Size;

    public TensorShape OutputShape => Layers[Layers.Count - 1].Output;

    public int OutputLength => OutputShape.Size;

    /// <summary>The tensor that holds the network's output.</summary>
    public int OutputTensor => Layers[Layers.Count - 1].OutputTensor;

    /// <summary>Where activations and their gradients live (see <see cref="MemoryPlanner"/>).</summary>
    public MemoryPlan Memory { get; init; } = null!;

    /// <summary>Every layer's private buffers (im2col columns, packed weights, masks, saved statistics), with lifetimes.</summary>
    public IEnumerable<LayerBuffer> Buffers() => Layers.SelectMany(layer => LayerDefinitions.For(layer.Kind).Buffers(layer));

    /// <summary>Inference memory: the tensors (buffers whose lifetimes do not overlap share) and the layers' buffers.</summary>
    public ArenaTerms InferenceArena => Buffers().Aggregate(new ArenaTerms(Memory.InferenceFloats, 0, 0), (sum, buffer) => sum + buffer.Inference);

    /// <summary>Training memory: every activation and the gradients' arena per sample, and the layers' buffers.</summary>
    public ArenaTerms TrainingArena => Buffers().Aggregate(new ArenaTerms((long)Memory.TrainingFloats + Memory.GradientFloats, 0, 0), (sum, buffer) => sum + buffer.Training);

    /// <summary>Of <see cref="InferenceArena"/> for one sample on one thread, what the layers' own buffers take (convolution work memory).</summary>
    public long InferenceBufferFloats => InferenceArena.Floats(1, 1) - Memory.InferenceFloats;

    /// <summary>Bytes the generated code allocates for inference of <paramref name="batch"/> samples on <paramref name="workers"/> threads.</summary>
    public long InferenceArenaBytes(int batch, int workers) => 4L * InferenceArena.Floats(batch, workers);

    /// <summary>Bytes the generated code allocates for a training step of <paramref name="batch"/> samples on <paramref name="workers"/> threads.</summary>
    public long TrainingArenaBytes(int batch, int workers) => 4L * TrainingArena.Floats(batch, workers);

    /// <summary>Initial parameters compiled into the assembly (<c>[Network(Weights = ...)]</c>), in <c>Parameters</c> layout; empty when none.</summary>
    public EquatableArray<float> CompiledWeights { get; init; } = EquatableArray<float>.Empty;

    /// <summary>Initial running statistics compiled in with <see cref="CompiledWeights"/>, in <c>State</c> layout; empty when none.</summary>
    public EquatableArray<float> CompiledState { get; init; } = EquatableArray<float>.Empty;

    /// <summary>Initial <c>num_batches_tracked</c> counts compiled in with <see cref="CompiledWeights"/>, in counter order; empty when none.</summary>
    public EquatableArray<long> CompiledCounters { get; init; } = EquatableArray<long>.Empty;

    /// <summary>Floats of non-trainable state (running statistics), the length of <c>State</c>.</summary>
    public int StateCount => Layers.Sum(layer => layer.StateCount);

    /// <summary>The state tensors in <c>state_dict</c> order: per layer, its state after its parameters.</summary>
    public IEnumerable<ParameterTensorPlan> StateTensors()
    {
        foreach (LayerPlan layer in Layers.Where(layer => layer.State is not null))
        {
            for (int t = 0; t < layer.State!.Suffixes.Count; t++)
            {
                yield return new ParameterTensorPlan($"{layer.Name}.{layer.State.Suffixes[t]}", layer.StateOffset + (t * layer.State.Length), layer.State.Length, new[] { layer.State.Length }.ToEquatableArray());
            }
        }
    }

    /// <summary>The <c>num_batches_tracked</c> names, one per counting layer, in counter order.</summary>
    public IEnumerable<string> CounterNames() =>
        Layers.Where(layer => layer.CounterIndex >= 0).OrderBy(layer => layer.CounterIndex).Select(layer => layer.Name + ".num_batches_tracked");

    /// <summary>PyTorch <c>state_dict</c> entries in <c>parameters()</c> order: weight then bias (if any) per layer.</summary>
    public IEnumerable<ParameterTensorPlan> ParameterTensors()
    {
        foreach (LayerPlan layer in Layers)
        {
            if (layer.ParameterCount == 0)
            {
                continue;
            }

            yield return new ParameterTensorPlan(layer.Name + ".weight", layer.WeightOffset, layer.WeightCount, layer.WeightShape);
            if (layer.BiasCount > 0)
            {
                yield return new ParameterTensorPlan(layer.Name + ".bias", layer.BiasOffset, layer.BiasCount, new[] { layer.BiasCount }.ToEquatableArray());
            }
        }
    }
}

/// <summary>One named parameter or state tensor: where it lives in <c>Parameters</c> (or <c>State</c>) and its PyTorch shape.</summary>
internal sealed record ParameterTensorPlan(string Name, int Offset, int Length, EquatableArray<int> Shape)
{
    /// <summary><c>(6, 1, 5, 5)</c>.</summary>
    public string ShapeText => ShapeFormat.Of(Shape);
}

/// <summary>
/// One activation tensor, per sample (where it lives: <see cref="MemoryPlan"/>). Several layers can share a tensor: activations run in place
/// where the producer's backward does not need its own output, and Flatten is a view.
/// </summary>
internal sealed record TensorPlan(int Id, string Name, int Size)
{
    /// <summary>
    /// A place for one reader's share of another tensor's gradient (that reader's backward writes it, then it is
    /// added into the tensor's gradient): it has no value, only a gradient.
    /// </summary>
    public bool GradientOnly { get; init; }
}

/// <summary>One computing layer (the Input is not a layer here: it is tensor 0).</summary>
internal sealed record LayerPlan(
    LayerKind Kind,
    string Name,
    string MethodName,
    TensorShape Input,
    TensorShape Output,
    int InputTensor,
    int OutputTensor)
{
    public AxisGeometry Vertical { get; init; }

    public AxisGeometry Horizontal { get; init; }

    /// <summary>The tensors this layer reads, in operand order (<see cref="InputTensor"/> is the first).</summary>
    public EquatableArray<int> InputTensors { get; init; } = EquatableArray<int>.Empty;

    /// <summary>The names of the tensors this layer reads (the layers that made them), in operand order.</summary>
    public EquatableArray<string> OperandNames { get; init; } = EquatableArray<string>.Empty;

    /// <summary>
    /// Per operand, where backward writes its gradient: the operand's own gradient when this layer is the first
    /// reader to write it (in backward order), else a <see cref="TensorPlan.GradientOnly"/> place that the
    /// backward pass then adds into it.
    /// </summary>
    public EquatableArray<int> GradientTargets { get; init; } = EquatableArray<int>.Empty;

    /// <summary>Whether the output reaches the network's output; a dead branch runs forward only.</summary>
    public bool IsLive { get; init; } = true;

    /// <summary>Whether the layer reads a tensor other than the previous layer's output (after <c>From</c>, or a merge).</summary>
    public bool ReadsNamedTensors { get; init; }

    /// <summary>Where this layer's state tensors start in <c>State</c>, one after another.</summary>
    public int StateOffset { get; init; }

    /// <summary>This layer's state tensors (names, initial values, length each); null when it keeps none.</summary>
    public LayerState? State { get; init; }

    /// <summary>Floats of state this layer keeps.</summary>
    public int StateCount => State is null ? 0 : State.Suffixes.Count * State.Length;

    /// <summary>Which <c>num_batches_tracked</c> counter this layer advances; −1 when none.</summary>
    public int CounterIndex { get; init; } = -1;

    /// <summary>BatchNorm2D's epsilon and momentum.</summary>
    public double Epsilon { get; init; }

    public double Momentum { get; init; }

    /// <summary>The weight's PyTorch shape; empty for layers without parameters.</summary>
    public EquatableArray<int> WeightShape { get; init; } = EquatableArray<int>.Empty;

    /// <summary>The fan-in PyTorch's default initialisation scales the weight and bias by.</summary>
    public int FanIn { get; init; }

    /// <summary>Offset of the weight in <c>Parameters</c>; the bias follows it.</summary>
    public int WeightOffset { get; init; }

    public int WeightCount { get; init; }

    public int BiasCount { get; init; }

    public int BiasOffset => WeightOffset + WeightCount;

    public int ParameterCount => WeightCount + BiasCount;

    private const int MinInPlaceOutputChannels = 16;

    private const int MinInPlaceRunDepth = 32;

    /// <summary>
    /// The direct kernel writes its product pixel-major and transposes it, once per output value; a patch
    /// this deep makes that small against its patch-long sums. Measured at batch 64: LeNet-5's conv2
    /// (patch 150) 16 % faster than im2col + GEMM for the whole network, the seed net's conv1 (patch 25,
    /// 32 filters, whose im2col is cheap beside 32 output rows) 3–7 % slower.
    /// </summary>
    private const int MinDirectPatch = 64;

    /// <summary>Conv2D: rows of the im2col matrix, <c>C_in·KH·KW</c> (also the fan-in).</summary>
    public int PatchSize => Input.Channels * Vertical.Kernel * Horizontal.Kernel;

    /// <summary>Conv2D: floats of one sample's im2col matrix, <c>C_in·KH·KW × OH·OW</c>; 0 for other layers.</summary>
    public int ColumnsSize => Kind == LayerKind.Conv2D ? PatchSize * Output.PlaneSize : 0;

    /// <summary>
    /// Conv2D: the kernel inference runs. With at least 16 output channels (a whole vector of them per
    /// pixel) the runtime's <c>ImplicitConvolution</c> (a GEMM over a channels-last copy of the input,
    /// pixels × output channels, one micro-kernel call per kernel row) when a kernel row's patch (KW·C_in)
    /// is deep enough to amortize a call, else its <c>DirectConvolution</c> (the whole patch per tile of
    /// pixels in registers, reading the input through tap offsets: LeNet-5's second layer) if the patch is
    /// at least <see cref="MinDirectPatch"/> deep. Fewer output channels (LeNet-5's first layer) run
    /// <c>RowConvolution</c> (vectors along the output row) where the stride across is 1 and rows fill
    /// <see cref="MinRowLaneUse"/> of their vectors. The rest (a first layer on grey images with many
    /// filters) keeps im2col + GEMM, output channels the GEMM's rows: for the seed net's conv1 (32 filters,
    /// patch 25) the row kernel was 1–8 % slower at batch 64, as the direct one was. Training runs im2col,
    /// for the columns its weight gradient reads, except where <see cref="TrainsInPlace"/>.
    /// </summary>
    public InferenceConvolution InferenceConvolution =>
        Kind != LayerKind.Conv2D ? InferenceConvolution.Im2Col
        : Output.Channels >= MinInPlaceOutputChannels && Input.Channels * (Horizontal.Dilation == 1 ? Horizontal.Kernel : 1) >= MinInPlaceRunDepth ? InferenceConvolution.Implicit
        : Output.Channels >= MinInPlaceOutputChannels && PatchSize >= MinDirectPatch ? InferenceConvolution.Direct
        : Output.Channels < MinInPlaceOutputChannels && KernelSupport.RowConvolution(Horizontal.Stride)
            && Horizontal.Output >= MinRowLaneUse * PackedSizes.RoundUpToVectors(Horizontal.Output) ? InferenceConvolution.Row
        : InferenceConvolution.Im2Col;

    /// <summary>
    /// The share of its 16-lane vectors an output row must fill for <c>RowConvolution</c> (28 of 32 for a
    /// 28-wide row); lanes past the row are computed and dropped, and a narrow row would waste most of them.
    /// </summary>
    private const double MinRowLaneUse = 0.75;

    /// <summary>Conv2D: whether inference reads the input in place (no im2col columns).</summary>
    public bool ConvolvesInPlace => InferenceConvolution != InferenceConvolution.Im2Col;

    /// <summary>
    /// Conv2D: whether training runs <c>ImplicitConvolution</c> too — whenever inference does. Its forward
    /// keeps the bordered channels-last input (<see cref="BorderedInputSize"/> per sample, a 25th of a 5 × 5
    /// kernel's im2col columns) and backward computes the weight gradient from it, as an indirect GEMM.
    /// </summary>
    public bool TrainsInPlace => InferenceConvolution == InferenceConvolution.Implicit;

    /// <summary>Conv2D: the input channels-last inside the zero border every tap reads within: <c>ImplicitConvolution.BorderedInputLength</c>.</summary>
    public int BorderedInputSize =>
        Kind == LayerKind.Conv2D ? PackedSizes.BorderedInput(PaddedExtent(Vertical), PaddedExtent(Horizontal), Input.Channels) : 0;

    /// <summary>Conv2D: what training's forward keeps per sample for backward: the bordered input, or the im2col columns.</summary>
    public int TrainingCacheSize => TrainsInPlace ? BorderedInputSize : ColumnsSize;

    /// <summary>
    /// Floats of one worker's weight-gradient accumulator when <see cref="TrainsInPlace"/>: the patch times
    /// the output channels rounded up to 16 (<c>ImplicitConvolution.WeightGradientLength</c>); else 0.
    /// </summary>
    public int WeightGradientSize => TrainsInPlace ? PackedSizes.WeightGradientRows(Output.Channels, PatchSize) : 0;

    /// <summary>
    /// Conv2D when <see cref="TrainsInPlace"/>: samples per weight-gradient call (<c>KernelSupport.WeightGradientSamples</c>),
    /// so that one call's depth covers enough pixels; 1 otherwise.
    /// </summary>
    public int WeightGradientSamples => TrainsInPlace ? KernelSupport.WeightGradientSamples(Output.PlaneSize) : 1;

    private static int PaddedExtent(AxisGeometry axis) => ConvolutionGeometry.PaddedExtent(axis.Output, axis.Kernel, axis.Stride, axis.Dilation);

    /// <summary>
    /// Floats of the weights packed for the inference kernel, as the runtime's <c>PackedWeightLength</c>
    /// computes them: the patch times the output channels rounded up to whole 32-wide panels
    /// (<c>ImplicitConvolution</c>) or to 16 (<c>DirectConvolution</c>); 0 for im2col and for
    /// <c>RowConvolution</c>, which reads the weights as they are.
    /// </summary>
    public int PackedWeightSize => InferenceConvolution switch
    {
        InferenceConvolution.Implicit => PackedSizes.ImplicitConvolutionWeights(Output.Channels, PatchSize),
        InferenceConvolution.Direct => PackedSizes.DirectConvolutionWeights(Output.Channels, PatchSize),
        _ => 0,
    };

    /// <summary>
    /// Conv2D: whether backward computes the input gradient as <c>ImplicitConvolution</c> of the output
    /// gradient with flipped, channel-swapped weights (stride 1, padding ≤ D·(K − 1)) instead of a GEMM and
    /// col2im — by the same depth and width rule as <see cref="ConvolvesInPlace"/>, channels swapped.
    /// </summary>
    public bool ConvolvesGradientInPlace =>
        Kind == LayerKind.Conv2D
        && KernelSupport.InputGradientAsConvolution(Vertical.Stride, Vertical.Kernel, Vertical.Dilation, Vertical.PaddingBefore)
        && KernelSupport.InputGradientAsConvolution(Horizontal.Stride, Horizontal.Kernel, Horizontal.Dilation, Horizontal.PaddingBefore)
        && Input.Channels >= MinInPlaceOutputChannels
        && Output.Channels * (Horizontal.Dilation == 1 ? Horizontal.Kernel : 1) >= MinInPlaceRunDepth;

    /// <summary>Floats of the weights packed for <see cref="ConvolvesGradientInPlace"/>; else 0.</summary>
    /// <remarks>The gradient convolution's output channels are this layer's input channels, its patch C_out·KH·KW.</remarks>
    public int InputGradientWeightSize =>
        ConvolvesGradientInPlace ? PackedSizes.ImplicitConvolutionWeights(Input.Channels, Output.Channels * Vertical.Kernel * Horizontal.Kernel) : 0;

    public double Probability { get; init; }

    /// <summary>Conv2D, Add: the activation that directly follows in place, run inside the layer's per-sample loop.</summary>
    public LayerKind? FusedActivation { get; init; }

    /// <summary>Activations: run by the producing Conv2D's code (see <see cref="FusedActivation"/>), so no code of their own.</summary>
    public bool FusedIntoProducer { get; init; }

    /// <summary>
    /// Conv2D: the BatchNorm after it, whose running statistics and affine parameters <c>Freeze</c> folds into this
    /// layer's weight and bias; null when none folds (see <see cref="Planner"/>).
    /// </summary>
    public BatchNormFold? Fold { get; init; }

    /// <summary>Conv2D with a <see cref="Fold"/>: the activation after the folded BatchNorm, which this layer applies itself once frozen.</summary>
    public LayerKind? FrozenActivation { get; init; }

    /// <summary>
    /// BatchNorm2D: folded into the convolution before it once frozen (<see cref="Fold"/>), so it runs only unfrozen,
    /// and then in its input's place at inference (the convolution's output, which nothing else reads).
    /// </summary>
    public bool FoldedIntoProducer { get; init; }

    /// <summary>An activation after a folded BatchNorm that the convolution applies once frozen (<see cref="FrozenActivation"/>).</summary>
    public bool FusedWhenFrozen { get; init; }

    /// <summary>Whether a frozen network skips this layer's forward: a producer computes its output.</summary>
    public bool SkippedWhenFrozen => FoldedIntoProducer || FusedWhenFrozen;

    /// <summary>Flatten and fused activations emit no code of their own.</summary>
    public bool HasOwnCode => Kind != LayerKind.Flatten && !FusedIntoProducer;

    public bool InPlace => InputTensor == OutputTensor;

    /// <summary>True for the first layer, whose input gradient is only computed on request.</summary>
    public bool ReadsNetworkInput => InputTensor == 0;
}

/// <summary>The kernel a Conv2D layer's inference runs (<see cref="LayerPlan.InferenceConvolution"/>).</summary>
internal enum InferenceConvolution
{
    /// <summary>im2col columns, then a GEMM (output channels × pixels).</summary>
    Im2Col,

    /// <summary>The runtime's <c>ImplicitConvolution</c>: deep kernel rows.</summary>
    Implicit,

    /// <summary>The runtime's <c>DirectConvolution</c>: shallow patches.</summary>
    Direct,

    /// <summary>The runtime's <c>RowConvolution</c>: fewer than 16 output channels at horizontal stride 1, vectors along the output row.</summary>
    Row,
}
