using CnnGen.Runtime;

namespace CnnGen.Integration.Tests;

/// <summary>The vertical edge filter, compiled in from Weights/edge-detector.safetensors (an AdditionalFiles item).</summary>
[Network(Weights = "Weights/edge-detector.safetensors")]
[Input(1, 6, 6)]
[Conv2D(1, 3, Name = "edges")]
internal partial class CompiledEdgeDetector;

public sealed class CompiledWeightsTests
{
    [Fact]
    public void CompiledWeights_AreTheInitialParameters_AndInferenceReadsThemWithoutCopying()
    {
        var detector = new CompiledEdgeDetector();
        float[] image = new float[CompiledEdgeDetector.InputLength];
        for (int y = 0; y < 6; y++)
        {
            for (int x = 0; x < 3; x++)
            {
                image[(y * 6) + x] = 10;
            }
        }

        float[] edges = new float[CompiledEdgeDetector.OutputLength];
        detector.Forward(image, edges); // warm-up: activation buffers only
        long before = GC.GetAllocatedBytesForCurrentThread();
        detector.Forward(image, edges);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        float[] row = [0, 30, 30, 0];
        for (int y = 0; y < 4; y++)
        {
            Assert.Equal(row, edges.AsSpan(y * 4, 4).ToArray());
        }

        Assert.Equal([1f, 0, -1, 1, 0, -1, 1, 0, -1, 0], detector.Parameters.ToArray());
    }

    [Fact]
    public void WritingParameters_CopiesThemOnce_AndLeavesOtherInstancesAlone()
    {
        var changed = new CompiledEdgeDetector();
        changed.Parameters.Clear();
        var untouched = new CompiledEdgeDetector();

        Assert.All(changed.Parameters.ToArray(), value => Assert.Equal(0f, value));
        Assert.Equal(1f, untouched.Parameters[0]);
        INetwork network = changed;
        Assert.Equal(10, network.ParameterCount);
    }
}
