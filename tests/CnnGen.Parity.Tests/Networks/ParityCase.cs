using CnnGen.Parity.Tests.Reference;
using CnnGen.Runtime;

namespace CnnGen.Parity.Tests.Networks;

/// <summary>
/// A generated CnnGen network paired with the <c>nn.Sequential</c> that should compute the same function.
/// </summary>
/// <param name="Name">The theory data name.</param>
/// <param name="Create">Creates a fresh generated network.</param>
/// <param name="InputShape">One sample's (C, H, W).</param>
/// <param name="Torch">The equivalent PyTorch layers.</param>
internal sealed record ParityCase(string Name, Func<INetwork> Create, int[] InputShape, Layer[] Torch)
{
    /// <summary>The NCHW shape of a batch of <paramref name="batchSize"/> samples.</summary>
    public long[] BatchShape(int batchSize) => [batchSize, .. InputShape.Select(d => (long)d)];
}
