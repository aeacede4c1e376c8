using CnnGen.Integration.Tests.Support;
using CnnGen.Runtime;
using CnnGen.Tests.Networks;

namespace CnnGen.Integration.Tests;

/// <summary>
/// A network that is not frozen reads <see cref="INetwork.Parameters"/> as they are at each call. Its convolutions
/// run on weights packed from the parameters (implicit and direct kernels alike); that packed copy must never outlive
/// the call, or a write between two calls would be half seen. Runs alone: it sets <see cref="Parallelism.ThreadCount"/>.
/// </summary>
[Collection(nameof(ThreadCountCollection))]
public sealed class ParameterWriteTests
{
    public static TheoryData<string, int, int> Cases()
    {
        var cases = new TheoryData<string, int, int>();
        foreach (string name in new[] { "LeNet5", "FashionNet", "ResNet8" })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                foreach (int batch in new[] { 1, 3 })
                {
                    cases.Add(name, threads, batch);
                }
            }
        }

        return cases;
    }

    /// <summary>
    /// Forward, then new values for every parameter through the span taken before that call, then forward again: the
    /// second output is bit for bit a fresh network's with the new parameters, and differs from the first.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void A_write_through_Parameters_between_two_forward_calls_gives_what_a_fresh_network_gives(string name, int threads, int batch)
    {
        int previous = Parallelism.ThreadCount;
        Parallelism.ThreadCount = threads;
        try
        {
            var random = new Random(TestData.StableSeed(name) + (10 * threads) + batch);
            INetwork network = Create(name);
            network.IsTraining = false;
            Span<float> parameters = network.Parameters;
            TestData.Uniform(random, parameters.Length, -0.1, 0.1).CopyTo(parameters);
            float[] input = TestData.Uniform(random, batch * network.InputLength);
            float[] before = Forward(network, input, batch);

            float[] written = TestData.Uniform(random, parameters.Length, -0.1, 0.1);
            written.CopyTo(parameters);
            float[] after = Forward(network, input, batch);

            INetwork fresh = Create(name);
            fresh.IsTraining = false;
            written.CopyTo(fresh.Parameters);
            float[] expected = Forward(fresh, input, batch);

            Assert.Equal(expected, after);
            Assert.NotEqual(before, after);
        }
        finally
        {
            Parallelism.ThreadCount = previous;
        }
    }

    private static float[] Forward(INetwork network, float[] input, int batch)
    {
        float[] output = new float[batch * network.OutputLength];
        if (batch == 1)
        {
            network.Forward(input, output);
        }
        else
        {
            network.ForwardBatch(input, output, batch);
        }

        return output;
    }

    private static INetwork Create(string name) => name switch
    {
        "LeNet5" => new LeNet5(),
        "FashionNet" => new FashionNet(),
        "ResNet8" => new ResNet8(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
