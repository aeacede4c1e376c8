using CnnGen.Integration.Tests.Networks;
using CnnGen.Runtime;
using CnnGen.Integration.Tests.Oracles;
using CnnGen.Integration.Tests.Support;
using CnnGen.Tests.Networks;

namespace CnnGen.Integration.Tests;

/// <summary>
/// Dense layers of several panels (130 units: 9 vectors of 16, split 5 + 4; 70: 5 vectors, the last one
/// partly padding) and one too narrow for panels (4 units), so a frozen forward mixes both dense paths.
/// </summary>
[Network, Input(2, 5, 5), Flatten, Dense(130), Relu, Dense(70), Tanh, Dense(4)]
internal partial class WideDense;

/// <summary>
/// <c>Freeze()</c>: a frozen network answers as the oracle does (its dense layers read arranged copies of
/// the weights at batch 1), batches are unchanged bit for bit, and nothing can change its parameters.
/// </summary>
public sealed class FreezeTests
{
    private static readonly OracleNetwork WideDenseOracle = new(
        new(2, 5, 5), new FlattenOracle(),
        new DenseOracle(130), ActivationOracle.Relu, new DenseOracle(70), ActivationOracle.Tanh, new DenseOracle(4));

    public static TheoryData<string> Networks() => ["LeNet5", "FashionNet", "WideDense"];

    [Theory]
    [MemberData(nameof(Networks))]
    public void Frozen_forward_matches_the_oracle_and_batches_are_unchanged(string name)
    {
        (INetwork net, OracleNetwork oracle, Action freeze, Func<bool> isFrozen) = Create(name);
        var random = new Random(TestData.StableSeed(name));
        TestData.FillParameters(random, oracle, net.Parameters);
        double[] parameters = TestData.ToDouble(net.Parameters);
        const int batchSize = 3;
        float[] inputs = TestData.Uniform(random, batchSize * net.InputLength);
        float[] batchBefore = new float[batchSize * net.OutputLength];
        net.ForwardBatch(inputs, batchBefore, batchSize);

        freeze();
        Assert.True(isFrozen());
        for (int n = 0; n < batchSize; n++)
        {
            ReadOnlySpan<float> sample = inputs.AsSpan(n * net.InputLength, net.InputLength);
            float[] output = new float[net.OutputLength];
            Array.Fill(output, float.NaN);
            net.ForwardBatch(sample, output, 1);
            double[] expected = oracle.Forward(parameters, TestData.ToDouble(sample));
            NumericAssert.Close(expected, output, NumericAssert.ForwardTolerance, NumericAssert.ForwardTolerance, $"{name} frozen, sample {n}");
        }

        float[] batchAfter = new float[batchBefore.Length];
        net.ForwardBatch(inputs, batchAfter, batchSize);
        Assert.Equal(batchBefore, batchAfter);
    }

    /// <summary>
    /// Freezing packs the convolutions' weights from the parameters as they are then: a forward before, on other
    /// parameters, left a packed copy of those, which a frozen network must not read (it no longer repacks per call).
    /// </summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void Freezing_packs_the_parameters_it_finds_not_those_of_an_earlier_forward(string name)
    {
        (INetwork net, OracleNetwork oracle, Action freeze, _) = Create(name);
        var random = new Random(TestData.StableSeed(name) + 1);
        float[] input = TestData.Uniform(random, net.InputLength);
        float[] output = new float[net.OutputLength];
        TestData.FillParameters(random, oracle, net.Parameters);
        net.Forward(input, output);

        TestData.FillParameters(random, oracle, net.Parameters);
        double[] parameters = TestData.ToDouble(net.Parameters);
        freeze();
        Array.Fill(output, float.NaN);
        net.Forward(input, output);

        double[] expected = oracle.Forward(parameters, TestData.ToDouble(input));
        NumericAssert.Close(expected, output, NumericAssert.ForwardTolerance, NumericAssert.ForwardTolerance, $"{name} frozen after new parameters");
    }

    [Fact]
    public void Frozen_network_refuses_every_parameter_change()
    {
        var net = new LeNet5 { IsTraining = true };
        net.Freeze();

        Assert.False(net.IsTraining);
        InvalidOperationException parameters = Assert.Throws<InvalidOperationException>(() => net.Parameters.Length);
        Assert.Contains("LeNet5 is frozen for inference", parameters.Message);
        Assert.Contains("Parameters", parameters.Message);
        Assert.Throws<InvalidOperationException>(() => net.ResetParameters(1));
        Assert.Throws<InvalidOperationException>(() => net.IsTraining = true);
        net.IsTraining = false;
        net.Freeze();
        Assert.True(net.IsFrozen);
    }

    [Fact]
    public void A_span_taken_before_freezing_no_longer_reaches_the_network()
    {
        var net = new LeNet5();
        float[] input = TestData.Uniform(new Random(5), LeNet5.InputLength);
        float[] before = new float[LeNet5.OutputLength], after = new float[LeNet5.OutputLength];
        Span<float> parameters = net.Parameters;
        net.Freeze();
        net.Forward(input, before);

        parameters.Fill(0f);
        net.Forward(input, after);

        Assert.Equal(before, after);
        Assert.Contains(before, value => value != 0f);
    }

    [Fact]
    public void Frozen_forward_allocates_nothing_after_warm_up()
    {
        var net = new FashionNet();
        net.Freeze();
        var input = new float[FashionNet.InputLength];
        var output = new float[FashionNet.OutputLength];
        for (int i = 0; i < 50; i++)
        {
            net.Forward(input, output);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        net.Forward(input, output);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>The network, its oracle, and its generated <c>Freeze</c> and <c>IsFrozen</c> (members of the class, not of <see cref="INetwork"/>).</summary>
    private static (INetwork Net, OracleNetwork Oracle, Action Freeze, Func<bool> IsFrozen) Create(string name)
    {
        switch (name)
        {
            case "LeNet5":
                var lenet = new LeNet5();
                return (lenet, ReferenceNetworks.LeNet5Oracle, lenet.Freeze, () => lenet.IsFrozen);
            case "FashionNet":
                var fashion = new FashionNet();
                return (fashion, ReferenceNetworks.FashionNetOracle, fashion.Freeze, () => fashion.IsFrozen);
            default:
                var wide = new WideDense();
                return (wide, WideDenseOracle, wide.Freeze, () => wide.IsFrozen);
        }
    }
}
