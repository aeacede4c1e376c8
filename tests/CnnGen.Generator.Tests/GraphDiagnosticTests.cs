using CnnGen.Generator.Tests.Infrastructure;
using static CnnGen.Generator.Tests.Infrastructure.DiagnosticAssert;

namespace CnnGen.Generator.Tests;

/// <summary>
/// The diagnostics of graphs (named tensors, From, Add, Concat) and of the layers that came with them, one
/// test per ID with the exact message and location; and both sides of CNN0001's floor rule.
/// </summary>
public sealed class GraphDiagnosticTests
{
    /// <summary>ResNet's downsampling: a strided 3×3 with padding 1 drops only padding, a strided 1×1 only the stride's gap.</summary>
    [Fact]
    public void CNN0001_FloorsSilentlyWhenOnlyPaddingOrTheStridesGapIsDropped()
    {
        GeneratorRun run = Reports("[Input(1, 28, 28)] [Conv2D(32, 3, Stride = 2, Padding = 1), Conv2D(8, 1, Stride = 2)]");
        Assert.Single(run.Result.GeneratedSources);
        string source = run.Result.GeneratedSources[0].SourceText.ToString();
        Assert.Contains("conv1  Conv2D  (32, 14, 14)", source);
        Assert.Contains("conv2  Conv2D  (8, 7, 7)", source);
    }

    /// <summary>A 3×3 stride-2 window without padding on an even size drops a real column the windows would read.</summary>
    [Fact]
    public void CNN0001_StillAnErrorWhenRealPixelsAreDropped()
    {
        Reports(
            "[Input(1, 28, 28)] [Conv2D(8, 3, Stride = 2)]",
            Error("CNN0001", "Stride = 2", "conv1: output height and width ((28 − 3 + 2·0) / 2) + 1 = 13.5 is not a whole number; Padding = 1 or Stride = 1 would fit"));
    }

    [Fact]
    public void CNN0002_NoWarningWhenPoolingDropsOnlyTheStridesGap()
    {
        Reports("[Input(1, 8, 8)] [MaxPool2D(1, Stride = 2)]");
    }

    [Fact]
    public void CNN0022_UnknownName_SuggestsTheNearest()
    {
        Reports(
            "[Input(1, 8, 8)] [Conv2D(4, 3, Padding = 1), Relu(Name = \"stem\")] [Conv2D(4, 3, Padding = 1), Add(\"stme\")]",
            Error("CNN0022", "\"stme\"", "add1: no tensor is named 'stme'; did you mean 'stem'?"));
    }

    [Fact]
    public void CNN0022_UnknownName_ListsTheNamesWhenNoneIsClose()
    {
        Reports(
            "[Input(1, 8, 8)] [Conv2D(4, 3, Padding = 1)] [From(\"encoder\"), Relu]",
            Error("CNN0022", "\"encoder\"", "From: no tensor is named 'encoder'; the tensors defined before it are input, conv1"));
    }

    [Fact]
    public void CNN0023_ForwardReference_GivesTheLayerThatMakesIt()
    {
        Reports(
            "[Input(1, 8, 8)] [From(\"late\"), Conv2D(4, 3, Padding = 1)] [Conv2D(4, 3, Padding = 1, Name = \"late\")]",
            Error("CNN0023", "\"late\"", "From: 'late' is made later, by layer 4; a layer can only read tensors made above it (source order is layer order)"));
    }

    [Fact]
    public void CNN0024_NamedTensorNobodyReads_WarnsAndStillGenerates()
    {
        GeneratorRun run = Reports(
            "[Input(1, 8, 8)] [Conv2D(4, 3, Padding = 1, Name = \"side\")] [From(\"input\"), Conv2D(2, 3, Padding = 1)]",
            Warning("CNN0024", "Name = \"side\"", "side: the tensor is named but no layer reads it and it is not the network's output; it is computed for nothing (read it with From, Add or Concat, or remove the layers)"));
        Assert.Single(run.Result.GeneratedSources);
    }

    [Fact]
    public void CNN0025_BranchNeverMerged_Warns()
    {
        Reports(
            "[Input(1, 8, 8)] [Conv2D(4, 3, Padding = 1, Name = \"stem\")] [From(\"stem\"), Conv2D(4, 1)] [From(\"stem\"), Conv2D(2, 3, Padding = 1)]",
            Warning("CNN0025", "Conv2D(4, 1)", "conv2: no layer reads this output and it is not the network's output (conv3 is): the branch ending here is computed for nothing; name it and merge it with Add or Concat, or remove it"));
    }

    [Fact]
    public void CNN0026_AddOfDifferentShapes_ShowsBothNamesAndShapes()
    {
        Reports(
            "[Input(1, 28, 28)] [Conv2D(16, 3, Padding = 1, Name = \"a\")] [Conv2D(32, 3, Stride = 2, Padding = 1), Add(\"a\")]",
            Error("CNN0026", "\"a\"", "add1: Add needs operands of one shape, but 'conv2' is (32, 14, 14) and 'a' is (16, 28, 28); a strided 1×1 convolution on the shortcut can match the size"));
    }

    /// <summary>The U-Net case: a 7-pixel map and a 6-pixel map cannot be joined.</summary>
    [Fact]
    public void CNN0026_ConcatOfDifferentSizes_ShowsBothNamesAndShapes()
    {
        Reports(
            "[Input(8, 7, 7)] [Conv2D(8, 3, Padding = 1, Name = \"encoder\")] [Conv2D(8, 2)] [Concat(\"encoder\")]",
            Error("CNN0026", "\"encoder\"", "concat1: Concat needs operands of one height and width, but 'conv2' is (8, 6, 6) and 'encoder' is (8, 7, 7); crop, pad or resize one so both are 6×6 (an odd size pooled then upsampled loses a row)"));
    }

    [Fact]
    public void CNN0027_LayersSplitOverPartialDeclarations()
    {
        ReportsIn(
            Declare("[Input(1, 8, 8)] [Conv2D(4, 3)]") + "\n[CnnGen.Relu] public partial class Net { }\n",
            Error("CNN0027", "Net", "Net: layer attributes appear on 2 partial declarations; source order is layer order, which is only defined within one declaration: put all layer attributes on one"));
    }

    [Fact]
    public void CNN0013_BatchNormOnAVector()
    {
        Reports(
            "[Input(1, 8, 8)] [Flatten, BatchNorm2D]",
            Error("CNN0013", "BatchNorm2D", "bn1: BatchNorm2D needs an image (channels, height, width) but its input is the vector (64); move it before [Flatten]/[Dense]"));
    }

    [Fact]
    public void CNN0004_AddListingOnlyTheCurrentTensor()
    {
        Reports(
            "[Input(1, 8, 8)] [Conv2D(4, 3, Padding = 1, Name = \"a\"), Add(\"a\")]",
            Error("CNN0004", "\"a\"", "add1: names = 'a' is out of range; it lists only the current tensor; name another tensor to merge it with"));
    }

    [Fact]
    public void CNN0004_BatchNormMomentumOutOfRange()
    {
        Reports(
            "[Input(1, 8, 8)] [BatchNorm2D(Momentum = 1.5)]",
            Error("CNN0004", "Momentum = 1.5", "bn1: Momentum = 1.5 is out of range; it must be in [0, 1]"));
    }

    [Fact]
    public void CNN0004_PoolPaddingOverHalfTheWindow()
    {
        Reports(
            "[Input(1, 8, 8)] [MaxPool2D(3, Padding = 2)]",
            Error("CNN0004", "Padding = 2", "pool1: Padding = 2 is out of range; it must be at most half the window, 1, as in PyTorch"));
    }

    /// <summary>ResNet's stem pooling on an even size: the floored row is padding, so no CNN0002.</summary>
    [Fact]
    public void CNN0002_PaddedPoolingThatDropsOnlyPaddingIsSilent()
    {
        GeneratorRun run = Reports("[Input(1, 8, 8)] [MaxPool2D(3, Stride = 2, Padding = 1)]");
        Assert.Contains("pool1  MaxPool2D  (1, 4, 4)", run.Result.GeneratedSources[0].SourceText.ToString());
    }
}
