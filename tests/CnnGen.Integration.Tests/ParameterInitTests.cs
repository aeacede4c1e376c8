using CnnGen.Integration.Tests.Networks;
using CnnGen.Runtime;

namespace CnnGen.Integration.Tests;

/// <summary>ResetParameters: PyTorch's default init (weights and biases uniform in ±1/√fan_in), reproducible per seed.</summary>
public sealed class ParameterInitTests
{
    [Fact]
    public void Same_seed_gives_the_same_parameters_and_different_seeds_differ()
    {
        var net = new LeNet5();
        net.ResetParameters(11);
        float[] first = net.Parameters.ToArray();
        net.Parameters.Fill(0);
        net.ResetParameters(11);
        Assert.Equal(first, net.Parameters.ToArray());

        net.ResetParameters(12);
        float[] other = net.Parameters.ToArray();
        Assert.NotEqual(first, other);
        Assert.True(first.Zip(other).Count(pair => pair.First == pair.Second) < first.Length / 100, "most values should change with the seed");
    }

    [Fact]
    public void A_new_network_starts_from_seed_0()
    {
        var fresh = new LeNet5();
        var reset = new LeNet5();
        reset.ResetParameters(1);
        reset.ResetParameters(0);
        Assert.Equal(fresh.Parameters.ToArray(), reset.Parameters.ToArray());
        Assert.Contains(fresh.Parameters.ToArray(), value => value != 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Every_tensor_is_uniform_within_one_over_root_fan_in(int seed)
    {
        INetwork net = new LeNet5();
        net.ResetParameters(seed);
        for (int t = 0; t < net.ParameterTensors.Count; t += 2)
        {
            ParameterTensor weight = net.ParameterTensors[t], bias = net.ParameterTensors[t + 1];
            int fanIn = weight.Shape.Skip(1).Aggregate(1, (a, b) => a * b);
            double bound = 1 / Math.Sqrt(fanIn);
            foreach (ParameterTensor tensor in (ParameterTensor[])[weight, bias])
            {
                float[] values = net.Parameters.Slice(tensor.Offset, tensor.Length).ToArray();
                Assert.All(values, value => Assert.InRange(value, -bound, bound));
                if (values.Length >= 50)
                {
                    // Uniform(−b, b): the extremes are reached and the variance is b²/3.
                    Assert.True(values.Max(Math.Abs) > 0.9 * bound, $"{tensor.Name}: max |value| {values.Max(Math.Abs)} is far below the bound {bound}");
                    double variance = values.Average(value => (double)value * value);
                    double expectedVariance = bound * bound / 3;
                    Assert.InRange(variance, 0.7 * expectedVariance, 1.3 * expectedVariance);
                }
            }
        }
    }
}
