using CnnGen.Integration.Tests.Networks;

namespace CnnGen.Integration.Tests;

/// <summary>
/// After warm-up, inference and a whole training step allocate nothing. Warm-up runs past the
/// JIT's tier-up call count, and the class runs alone so no other test changes the thread count
/// (which would legitimately grow per-worker buffers) while it measures.
/// </summary>
[Collection(nameof(ThreadCountCollection))]
public sealed class AllocationTests
{
    private const int WarmUpCalls = 50;

    [Fact]
    public void Forward_allocates_nothing_after_warm_up()
    {
        var net = new FashionNet();
        var input = new float[FashionNet.InputLength];
        var output = new float[FashionNet.OutputLength];
        for (int i = 0; i < WarmUpCalls; i++)
        {
            net.Forward(input, output);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            net.Forward(input, output);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Training_step_at_batch_8_allocates_nothing_after_warm_up()
    {
        const int batchSize = 8;
        var net = new FashionNet { IsTraining = true };
        var inputs = new float[batchSize * FashionNet.InputLength];
        var outputs = new float[batchSize * FashionNet.OutputLength];
        var outputGradient = new float[batchSize * FashionNet.OutputLength];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (i % 17) / 17f;
        }

        outputGradient.AsSpan().Fill(0.1f);
        for (int i = 0; i < WarmUpCalls; i++)
        {
            TrainingStep(net, inputs, outputs, outputGradient, batchSize);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
        {
            TrainingStep(net, inputs, outputs, outputGradient, batchSize);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    private static void TrainingStep(FashionNet net, float[] inputs, float[] outputs, float[] outputGradient, int batchSize)
    {
        net.ForwardBatch(inputs, outputs, batchSize);
        net.ZeroGradients();
        net.BackwardBatch(outputGradient, default, batchSize);
    }
}
