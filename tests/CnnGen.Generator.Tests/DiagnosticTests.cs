using CnnGen.Generator.Tests.Infrastructure;
using static CnnGen.Generator.Tests.Infrastructure.DiagnosticAssert;

namespace CnnGen.Generator.Tests;

/// <summary>One test per diagnostic ID: ID, severity, location and the exact message.</summary>
public sealed class DiagnosticTests
{
    [Fact]
    public void CNN0001_ConvOutputNotWhole_PointsAtStrideAndShowsTheArithmetic()
    {
        GeneratorRun run = Reports(
            "[Input(1, 27, 28)] [Conv2D(8, 5, Stride = 2)]",
            Error("CNN0001", "Stride = 2", "conv1: output width ((28 − 5 + 2·0) / 2) + 1 = 12.5 is not a whole number; Padding = 1 or Stride = 1 would fit"));
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void CNN0001_SuggestsPaddingWhenPaddingFits()
    {
        Reports(
            "[Input(1, 28, 28)] [Conv2D(8, 5, Stride = 3)]",
            Error("CNN0001", "Stride = 3", "conv1: output height and width ((28 − 5 + 2·0) / 3) + 1 = 8.667 is not a whole number; Padding = 1 or Stride = 1 would fit"));
    }

    [Fact]
    public void CNN0001_WithDilationShowsTheDilatedKernel()
    {
        Reports(
            "[Input(1, 10, 10)] [Conv2D(8, 3, Stride = 2, Dilation = 2)]",
            Error("CNN0001", "Stride = 2", "conv1: output height and width ((10 − 2·(3 − 1) − 1 + 2·0) / 2) + 1 = 3.5 is not a whole number; Padding = 1 or Stride = 1 would fit"));
    }

    [Fact]
    public void CNN0002_PoolOutputNotWhole_WarnsWithDroppedRowsAndStillGenerates()
    {
        GeneratorRun run = Reports(
            "[Input(1, 28, 28)] [Conv2D(4, 3), MaxPool2D(4)]",
            Warning("CNN0002", "4", "pool1: output height and width ((26 − 4) / 4) + 1 = 6.5 is not a whole number; it is floored to 6 as in PyTorch, so the last 2 rows and columns of the input are ignored; an input height and width of 24 or 28 would use every row and column"));
        Assert.Single(run.Result.GeneratedSources);
    }

    [Fact]
    public void CNN0002_OneAxisOneRow()
    {
        Reports(
            "[Input(1, 8, 7)] [AvgPool2D(2)]",
            Warning("CNN0002", "2", "pool1: output width ((7 − 2) / 2) + 1 = 3.5 is not a whole number; it is floored to 3 as in PyTorch, so the last 1 column of the input is ignored; an input width of 6 or 8 would use every column"));
    }

    [Fact]
    public void CNN0003_OutputBelowOne_PointsAtTheKernel()
    {
        Reports(
            "[Input(1, 4, 4)] [Conv2D(2, 5)]",
            Error("CNN0003", "5", "conv1: output height and width ((4 − 5 + 2·0) / 1) + 1 = 0 is below 1: the window spans 5 pixels but the padded input has 4; use a smaller kernel or dilation, or more padding"));
    }

    [Fact]
    public void CNN0003_PoolWindowLargerThanInput_AndTheOtherAxisStillReported()
    {
        Reports(
            "[Input(3, 2, 8)] [MaxPool2D(3)]",
            Warning("CNN0002", "3", "pool1: output width ((8 − 3) / 3) + 1 = 2.667 is not a whole number; it is floored to 2 as in PyTorch, so the last 2 columns of the input are ignored; an input width of 6 or 9 would use every column"),
            Error("CNN0003", "3", "pool1: output height ((2 − 3) / 3) + 1 = 0.667 is below 1: the window spans 3 pixels but the padded input has 2; use a smaller window"));
    }

    [Theory]
    [InlineData("[Conv2D(0, 3)]", "0", "conv1: filters = 0 is out of range; it must be at least 1")]
    [InlineData("[Conv2D(4, -3)]", "-3", "conv1: kernel = -3 is out of range; it must be at least 1")]
    [InlineData("[Conv2D(4, 3, Stride = 0)]", "Stride = 0", "conv1: Stride = 0 is out of range; it must be at least 1")]
    [InlineData("[Conv2D(4, 3, Padding = -1)]", "Padding = -1", "conv1: Padding = -1 is out of range; it must be at least 0")]
    [InlineData("[Conv2D(4, 3, Dilation = 0)]", "Dilation = 0", "conv1: Dilation = 0 is out of range; it must be at least 1")]
    [InlineData("[MaxPool2D(0)]", "0", "pool1: size = 0 is out of range; it must be at least 1")]
    [InlineData("[Flatten, Dense(0)]", "0", "dense1: units = 0 is out of range; it must be at least 1")]
    [InlineData("[Dropout(1.5)]", "1.5", "dropout1: probability = 1.5 is out of range; it must be in [0, 1)")]
    [InlineData("[Dropout(1)]", "1", "dropout1: probability = 1 is out of range; it must be in [0, 1)")]
    public void CNN0004_ArgumentOutOfRange(string layers, string locatedText, string message)
    {
        Reports("[Input(1, 8, 8)] " + layers, Error("CNN0004", locatedText, message));
    }

    [Fact]
    public void CNN0004_InputDimensions()
    {
        Reports("[Input(1, 0, 8)] [Relu]", Error("CNN0004", "0", "input: height = 0 is out of range; it must be at least 1"));
    }

    [Fact]
    public void CNN0005_DenseAfterImage_SuggestsFlatten()
    {
        Reports(
            "[Input(1, 28, 28)] [Conv2D(4, 3), Dense(10)]",
            Error("CNN0005", "Dense(10)", "dense1: Dense needs a vector but its input is (4, 26, 26); insert [Flatten] before it (it would get 2704 features)"));
    }

    [Fact]
    public void CNN0006_MissingInput_PointsAtTheClass()
    {
        Reports("[Conv2D(4, 3)]", Error("CNN0006", "Net", "Net: the network has no [Input]; add [Input(channels, height, width)] before the first layer"));
    }

    [Fact]
    public void CNN0007_DuplicateInput()
    {
        Reports(
            "[Input(1, 8, 8)] [Relu] [Input(1, 4, 4)]",
            Error("CNN0007", "Input(1, 4, 4)", "Net: [Input] appears 2 times; keep only the first"));
    }

    [Fact]
    public void CNN0008_MisplacedInput()
    {
        Reports(
            "[Relu] [Input(1, 8, 8)] [Flatten]",
            Error("CNN0008", "Input(1, 8, 8)", "Net: [Input] must come first, but relu1 comes before it; move [Input] to the top"));
    }

    [Fact]
    public void CNN0009_DuplicateLayerName_PointsAtTheSecondName()
    {
        Reports(
            "[Input(1, 8, 8)] [Conv2D(4, 3, Name = \"features\"), Relu(Name = \"features\")]",
            Error("CNN0009", "Name = \"features\"", "features: the name is already used by layer 2; give each layer a unique Name"));
    }

    [Fact]
    public void CNN0009_ExplicitNameCollidingWithADefaultName()
    {
        Reports(
            "[Input(1, 8, 8)] [Conv2D(4, 3, Name = \"conv2\"), Conv2D(4, 3)]",
            Error("CNN0009", "Conv2D(4, 3)", "conv2: the name is already used by layer 2; give each layer a unique Name"));
    }

    [Fact]
    public void CNN0010_ClassNotPartial()
    {
        ReportsIn(
            Declare("[Input(1, 8, 8)] [Relu]", "public class Net;"),
            Error("CNN0010", "Net", "Net: a [Network] class must be partial so the generated half can be added; add the partial modifier"));
    }

    [Fact]
    public void CNN0011_NestedClass()
    {
        string source = """
            using CnnGen;
            namespace Tests;
            public partial class Outer
            {
                [Network, Input(1, 8, 8), Relu]
                public partial class Net;
            }
            """;
        ReportsIn(source, Error("CNN0011", "Net", "Net: a [Network] class cannot be nested in Outer; declare it directly in a namespace"));
    }

    [Fact]
    public void CNN0011_GenericClass()
    {
        ReportsIn(
            Declare("[Input(1, 8, 8), Relu]", "public partial class Net<T>;"),
            Error("CNN0011", "Net", "Net: a [Network] class cannot be generic; remove its type parameters"));
    }

    [Fact]
    public void CNN0012_NoLayers()
    {
        Reports("[Input(1, 8, 8)]", Error("CNN0012", "Net", "Net: the network has no layers after [Input]; add at least one layer"));
    }

    [Fact]
    public void CNN0013_ConvAfterFlatten()
    {
        Reports(
            "[Input(1, 8, 8)] [Flatten, Conv2D(4, 3)]",
            Error("CNN0013", "Conv2D(4, 3)", "conv1: Conv2D needs an image (channels, height, width) but its input is the vector (64); move it before [Flatten]/[Dense]"));
    }

    [Fact]
    public void CNN0014_PaddingConflictsWithSame()
    {
        Reports(
            "[Input(1, 8, 8)] [Conv2D(4, 3, Padding = 1, PaddingMode = PaddingMode.Same)]",
            Error("CNN0014", "Padding = 1", "conv1: Padding = 1 conflicts with PaddingMode.Same; remove one of them"));
    }

    [Fact]
    public void CNN0014_SameNeedsStrideOne()
    {
        Reports(
            "[Input(1, 8, 8)] [Conv2D(4, 3, Stride = 2, PaddingMode = PaddingMode.Same)]",
            Error("CNN0014", "PaddingMode = PaddingMode.Same", "conv1: PaddingMode.Same needs stride 1 (as in PyTorch); use an explicit Padding with strided convolutions"));
    }

    [Fact]
    public void CNN0015_InvalidLayerName()
    {
        Reports(
            "[Input(1, 8, 8)] [Relu(Name = \"conv-1\")]",
            Error("CNN0015", "Name = \"conv-1\"", "Layer name \"conv-1\" is not valid: it becomes part of weight names such as conv-1.weight; use letters, digits and '_', starting with a letter or '_'"));
    }

    [Fact]
    public void CNN0021_InferenceMemoryOverBudget_SplitsTheTotal()
    {
        ReportsIn(
            Declare("[Input(1, 32, 32)] [Conv2D(6, 5), Relu, MaxPool2D(2)] [Conv2D(16, 5), Relu, MaxPool2D(2)] [Flatten] [Dense(120), Relu, Dense(84), Relu, Dense(10)]")
                .Replace("[Network]", "[Network(MaxArenaBytes = 32 * 1024)]"),
            Error("CNN0021", "MaxArenaBytes = 32 * 1024", "Net: inference of one sample needs 37,216 bytes of activation memory (27,616 bytes of tensors, peak at pool1, and 9,600 bytes of convolution work memory: im2col columns and packed weights), over MaxArenaBytes = 32,768; pool or stride earlier, or use fewer filters, to shrink the largest tensors"));
    }

    /// <summary>
    /// A strided conv keeps im2col: its columns (4·5·5 × 6·6 = 3,600 floats) outweigh the input and output
    /// tensors (900 + 288 floats), and the hint says so.
    /// </summary>
    [Fact]
    public void CNN0021_ConvolutionWorkMemoryOverBudget_SaysItDominates()
    {
        ReportsIn(
            Declare("[Input(4, 15, 15)] [Conv2D(8, 5, Stride = 2)]")
                .Replace("[Network]", "[Network(MaxArenaBytes = 16 * 1024)]"),
            Error("CNN0021", "MaxArenaBytes = 16 * 1024", "Net: inference of one sample needs 19,152 bytes of activation memory (4,752 bytes of tensors, peak at conv1, and 14,400 bytes of convolution work memory: im2col columns and packed weights), over MaxArenaBytes = 16,384; the convolutions' work memory dominates: fewer input channels or a smaller kernel or output per convolution would shrink them"));
    }

    [Fact]
    public void ThreeDifferentErrors_AreAllReportedInOneBuild()
    {
        Reports(
            "[Input(1, 27, 28)] [Conv2D(8, 5, Stride = 2), Dropout(1.5, Name = \"drop\"), Relu(Name = \"drop\")]",
            Error("CNN0001", "Stride = 2", "conv1: output width ((28 − 5 + 2·0) / 2) + 1 = 12.5 is not a whole number; Padding = 1 or Stride = 1 would fit"),
            Error("CNN0004", "1.5", "drop: probability = 1.5 is out of range; it must be in [0, 1)"),
            Error("CNN0009", "Name = \"drop\"", "drop: the name is already used by layer 3; give each layer a unique Name"));
    }
}
