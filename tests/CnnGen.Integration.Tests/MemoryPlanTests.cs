using CnnGen.Integration.Tests.Networks;
using CnnGen.Runtime;

namespace CnnGen.Integration.Tests;

/// <summary>The generated memory constants equal what the generated code allocates.</summary>
[Collection(nameof(ThreadCountCollection))] // needs one worker thread while it measures
public sealed class MemoryPlanTests
{
    [Fact]
    public void LeNet5_InferenceArena_IsThePlannedSize_WorkedOutByHand()
    {
        // Per sample: input 1024, conv1 4704, pool1 1176, conv2 1600, pool2 400, dense 120/84/10 floats.
        // First fit with frees after the last reader: input [0,1024) + conv1 [1024,5728); input freed;
        // pool1 does not fit in [0,1024) so goes to [5728,6904); later tensors fit below: 6904 floats.
        // Convolution work memory: conv1 (6 filters, stride 1, rows of 28) runs RowConvolution on its weights
        // as they are, no columns; conv2 (16 filters, a 6·5·5 = 150 patch) runs DirectConvolution on its
        // weights packed once per call as 150 rows of 16 channels = 2,400 floats. Nothing per worker.
        Assert.Equal(4L * (6904 + 2400), LeNet5.InferenceArenaBytes);
        Assert.Equal(LeNet5.InferenceArenaBytes, LeNet5.InferenceArenaBytesFor(1));
        Assert.Equal(LeNet5.InferenceArenaBytes, LeNet5.InferenceArenaBytesFor(1, workers: 2));
        Assert.Equal(LeNet5.InferenceArenaBytes + (4L * 6904), LeNet5.InferenceArenaBytesFor(2));
        Assert.Contains("Activation memory: 37,216 bytes for inference of one sample", LeNet5.Summary);
    }

    [Fact]
    public void Forward_AllocatesExactlyInferenceArenaBytes()
    {
        float[] lenetInput = new float[LeNet5.InputLength], lenetOutput = new float[LeNet5.OutputLength];
        AssertAllocates(new LeNet5(), LeNet5.InferenceArenaBytes, network => network.Forward(lenetInput, lenetOutput), n => ((LeNet5)n).AllocatedArenaBytes);
        float[] fashionInput = new float[FashionNet.InputLength], fashionOutput = new float[FashionNet.OutputLength];
        AssertAllocates(new FashionNet(), FashionNet.InferenceArenaBytes, network => network.Forward(fashionInput, fashionOutput), n => ((FashionNet)n).AllocatedArenaBytes);
    }

    [Fact]
    public void TrainingStep_AllocatesExactlyTrainingArenaBytes()
    {
        const int Batch = 8;
        float[] input = new float[Batch * FashionNet.InputLength], output = new float[Batch * FashionNet.OutputLength];
        AssertAllocates(
            new FashionNet { IsTraining = true },
            FashionNet.TrainingArenaBytes(Batch),
            network =>
            {
                network.ForwardBatch(input, output, Batch);
                network.BackwardBatch(output, default, Batch);
            },
            n => ((FashionNet)n).AllocatedArenaBytes);
    }

    /// <summary>
    /// Runs <paramref name="step"/> once on a fresh network (kernels already warm from another
    /// instance) and checks both the network's own account (exactly) and the GC's: the bytes
    /// allocated are the planned bytes plus array headers, the cached per-layer delegates and, on a
    /// busy machine, a few KB of the runtime's own tiered-JIT bookkeeping — less than any buffer.
    /// </summary>
    private static void AssertAllocates(INetwork network, long planned, Action<INetwork> step, Func<INetwork, long> allocated)
    {
        int previous = Parallelism.ThreadCount;
        Parallelism.ThreadCount = 1;
        try
        {
            INetwork warm = (INetwork)Activator.CreateInstance(network.GetType())!;
            warm.IsTraining = network.IsTraining;
            step(warm);

            long before = GC.GetAllocatedBytesForCurrentThread();
            step(network);
            long measured = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(planned, allocated(network));
            Assert.InRange(measured, planned, planned + (16 * 1024));
        }
        finally
        {
            Parallelism.ThreadCount = previous;
        }
    }
}
