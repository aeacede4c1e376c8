using CnnGen.Integration.Tests.Networks;
using CnnGen.Integration.Tests.Support;
using CnnGen.Runtime;

namespace CnnGen.Integration.Tests;

/// <summary>Runs alone: it changes the process-wide <see cref="Parallelism.ThreadCount"/>.</summary>
[CollectionDefinition(nameof(ThreadCountCollection), DisableParallelization = true)]
public sealed class ThreadCountCollection;

/// <summary>Two worker threads give the results of one: samples are split, never a sum.</summary>
[Collection(nameof(ThreadCountCollection))]
public sealed class ParallelismTests
{
    private const int Batch = 5;

    [Fact]
    public void TwoThreads_GiveTheSameOutputsAndInputGradients_AndTheSameParameterGradientsUpToSummationOrder()
    {
        (float[] output1, float[] gradients1, float[] input1) = TrainingStep(threads: 1);
        (float[] output2, float[] gradients2, float[] input2) = TrainingStep(threads: 2);

        Assert.Equal(output1, output2);
        Assert.Equal(input1, input2);
        NumericAssert.Close(TestData.ToDouble(gradients1), gradients2, 1e-5, 1e-7, "parameter gradients, 2 threads vs 1");
        Assert.NotEqual(0f, gradients2.Max(Math.Abs));
    }

    [Fact]
    public void TwoThreads_TrainingStepAllocatesNothingAfterWarmUp()
    {
        int previous = Parallelism.ThreadCount;
        Parallelism.ThreadCount = 2;
        try
        {
            var network = new LeNet5 { IsTraining = true };
            float[] input = TestData.Uniform(new Random(3), Batch * LeNet5.InputLength);
            float[] output = new float[Batch * LeNet5.OutputLength], outputGradient = TestData.Uniform(new Random(4), output.Length);
            void Step()
            {
                network.ForwardBatch(input, output, Batch);
                network.BackwardBatch(outputGradient, default, Batch);
            }

            Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++)
            {
                Step();
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            Parallelism.ThreadCount = previous;
        }
    }

    private static (float[] Output, float[] Gradients, float[] InputGradient) TrainingStep(int threads)
    {
        int previous = Parallelism.ThreadCount;
        Parallelism.ThreadCount = threads;
        try
        {
            var network = new LeNet5 { IsTraining = true };
            network.ResetParameters(seed: 11);
            float[] input = TestData.Uniform(new Random(1), Batch * LeNet5.InputLength);
            float[] output = new float[Batch * LeNet5.OutputLength];
            float[] outputGradient = TestData.Uniform(new Random(2), output.Length);
            float[] inputGradient = new float[input.Length];
            network.ForwardBatch(input, output, Batch);
            network.BackwardBatch(outputGradient, inputGradient, Batch);
            return (output, network.Gradients.ToArray(), inputGradient);
        }
        finally
        {
            Parallelism.ThreadCount = previous;
        }
    }
}
