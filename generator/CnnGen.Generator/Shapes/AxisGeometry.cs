using System.Globalization;

namespace CnnGen.Generator.Shapes;

/// <summary>
/// One axis of a sliding window (convolution or pooling). This is the only place in CnnGen that
/// knows the output-size formula <c>((W − D·(F − 1) − 1 + P_before + P_after) / S) + 1</c>, which
/// is PyTorch's and, for D = 1 and symmetric padding, the familiar <c>((W − F + 2P) / S) + 1</c>.
/// </summary>
internal readonly record struct AxisGeometry(
    int Input,
    int Kernel,
    int Stride,
    int PaddingBefore,
    int PaddingAfter,
    int Dilation,
    bool IsPadded)
{
    /// <summary>How many input pixels one window spans: <c>D·(F − 1) + 1</c>.</summary>
    public int Reach => (Dilation * (Kernel - 1)) + 1;

    /// <summary>The numerator of the formula: padded input minus reach.</summary>
    public int Span => Input + PaddingBefore + PaddingAfter - Reach;

    /// <summary>True when <c>Span / S</c> divides evenly and the output has at least one pixel.</summary>
    public bool IsWhole => Span >= 0 && Span % Stride == 0;

    /// <summary>The output size, floored as PyTorch does; below 1 when the window does not fit.</summary>
    public int Output => Span < 0 ? FloorDivide(Span, Stride) + 1 : (Span / Stride) + 1;

    /// <summary>Input pixels at the far edge that no window covers (what flooring drops).</summary>
    public int Dropped => Span >= 0 ? Span % Stride : 0;

    /// <summary>Of <see cref="Dropped"/>, the real input pixels (not padding at the far edge) that no window reads.</summary>
    public int UnreadPixels => System.Math.Max(0, Dropped - PaddingAfter);

    /// <summary>The pixels the stride already skips between neighbouring windows: <c>S − (D·(F − 1) + 1)</c>, or 0.</summary>
    public int WindowGap => System.Math.Max(0, Stride - Reach);

    /// <summary>
    /// Whether flooring the output (as PyTorch does) loses nothing the windows would otherwise read: what it
    /// drops is padding, or no more than the gap the stride leaves between windows anyway (a 1×1 stride-2
    /// shortcut on 28 pixels skips every other pixel, so skipping the last is no different). ResNet's strided
    /// 3×3 (padding 1) and 1×1 layers on even sizes are such cases; <c>Conv2D(8, 5, Stride = 2)</c> on 28 is not.
    /// </summary>
    public bool FloorsLosslessly => Span >= 0 && UnreadPixels <= WindowGap;

    /// <summary>The exact, unfloored output as text: <c>12.5</c>.</summary>
    public string ExactOutput => (((double)Span / Stride) + 1).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The formula with the actual numbers and its exact result: <c>((28 − 5 + 2·0) / 2) + 1 = 12.5</c>.</summary>
    public string Formula
    {
        get
        {
            string kernel = Dilation == 1
                ? Invariant(Kernel)
                : $"{Invariant(Dilation)}·({Invariant(Kernel)} − 1) − 1";
            string padding = !IsPadded
                ? string.Empty
                : PaddingBefore == PaddingAfter
                    ? $" + 2·{Invariant(PaddingBefore)}"
                    : $" + ({Invariant(PaddingBefore)} + {Invariant(PaddingAfter)})";
            return $"(({Invariant(Input)} − {kernel}{padding}) / {Invariant(Stride)}) + 1 = {ExactOutput}";
        }
    }

    public AxisGeometry WithKernel(int kernel) => this with { Kernel = kernel };

    public AxisGeometry WithStride(int stride) => this with { Stride = stride };

    public AxisGeometry WithPadding(int padding) => this with { PaddingBefore = padding, PaddingAfter = padding };

    /// <summary>
    /// For output index range clipping: the first output index whose window tap at
    /// <paramref name="tap"/> lands inside the input (inclusive), and the last (inclusive).
    /// The range is empty when <c>first &gt; last</c>.
    /// </summary>
    public (int First, int Last) OutputRangeForTap(int tap)
    {
        int offset = (tap * Dilation) - PaddingBefore; // input index = o·S + offset
        int first = CeilingDivide(-offset, Stride);
        int last = FloorDivide(Input - 1 - offset, Stride);
        if (first < 0)
        {
            first = 0;
        }

        if (last > Output - 1)
        {
            last = Output - 1;
        }

        return (first, last);
    }

    /// <summary>The input index read by output <c>o</c> at tap <paramref name="tap"/> is <c>o·S + TapOffset(tap)</c>.</summary>
    public int TapOffset(int tap) => (tap * Dilation) - PaddingBefore;

    private static int FloorDivide(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static int CeilingDivide(int a, int b) => -FloorDivide(-a, b);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
