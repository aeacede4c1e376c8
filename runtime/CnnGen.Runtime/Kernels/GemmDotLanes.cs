using System.Runtime.Intrinsics;

namespace CnnGen.Runtime.Kernels;

/// <summary>
/// What <see cref="GemmDot"/>'s dot products need beyond <see cref="IConvolutionLanes{TVector}"/>'s loads and
/// multiply-adds: masks for the overlapping last vector and the eight-way horizontal sum.
/// <see cref="ConvolutionLanes512"/> and <see cref="ConvolutionLanes256"/> implement it (the dot path runs at
/// those widths only).
/// </summary>
internal interface IDotLanes<TVector> : IConvolutionLanes<TVector>
    where TVector : struct
{
    static abstract TVector AllBitsSet { get; }

    /// <summary>
    /// The mask of the overlapping last vector [k − Count, k) when k % Count = <paramref name="tail"/>: only
    /// its last <paramref name="tail"/> lanes, not yet summed (all lanes when tail is 0).
    /// </summary>
    static abstract TVector TailMask(int tail);

    static abstract TVector And(TVector left, TVector right);

    /// <summary>[Σ lanes of s0, …, Σ lanes of s7].</summary>
    static abstract Vector256<float> SumEach(TVector s0, TVector s1, TVector s2, TVector s3, TVector s4, TVector s5, TVector s6, TVector s7);
}
