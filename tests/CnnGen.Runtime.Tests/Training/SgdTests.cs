using CnnGen.Runtime.Training;

namespace CnnGen.Runtime.Tests.Training;

public class SgdTests
{
    // Three steps on one parameter p₀ = 1 with a constant gradient g = 1 and lr = 0.1,
    // worked by hand from torch.optim.SGD's rules.
    [Theory]
    // Plain: p = 1 − 0.1 = 0.9 → 0.8 → 0.7.
    [InlineData(0f, 0f, 0f, false, 0.9, 0.8, 0.7)]
    // Momentum 0.9: b = 1 (the first buffer is the gradient), p = 0.9;
    //   b = 0.9·1 + 1 = 1.9, p = 0.9 − 0.19 = 0.71; b = 0.9·1.9 + 1 = 2.71, p = 0.71 − 0.271 = 0.439.
    [InlineData(0.9f, 0f, 0f, false, 0.9, 0.71, 0.439)]
    // Momentum 0.9, dampening 0.5: b = 1 (no dampening on the first step), p = 0.9;
    //   b = 0.9 + 0.5 = 1.4, p = 0.76; b = 1.26 + 0.5 = 1.76, p = 0.584.
    [InlineData(0.9f, 0.5f, 0f, false, 0.9, 0.76, 0.584)]
    // Nesterov 0.9: b = 1, d = 1 + 0.9·1 = 1.9, p = 0.81;
    //   b = 1.9, d = 1 + 1.71 = 2.71, p = 0.539; b = 2.71, d = 1 + 2.439 = 3.439, p = 0.1951.
    [InlineData(0.9f, 0f, 0f, true, 0.81, 0.539, 0.1951)]
    // Weight decay 0.1: d = 1 + 0.1·1 = 1.1, p = 0.89; d = 1.089, p = 0.7811; d = 1.07811, p = 0.673289.
    [InlineData(0f, 0f, 0.1f, false, 0.89, 0.7811, 0.673289)]
    // Weight decay 0.1 with momentum 0.9: d = 1.1, b = 1.1, p = 0.89;
    //   d = 1.089, b = 0.99 + 1.089 = 2.079, p = 0.6821; d = 1.06821, b = 1.8711 + 1.06821 = 2.93931, p = 0.388169.
    [InlineData(0.9f, 0f, 0.1f, false, 0.89, 0.6821, 0.388169)]
    public void Three_steps_match_hand_computed_values(
        float momentum, float dampening, float weightDecay, bool nesterov, double after1, double after2, double after3)
    {
        var sgd = new Sgd(1, learningRate: 0.1f, momentum, dampening, weightDecay, nesterov);
        float[] parameter = [1f];
        float[] gradient = [1f];
        double[] expected = [after1, after2, after3];

        for (int step = 0; step < 3; step++)
        {
            sgd.Step(parameter, gradient);
            Assert.Equal(expected[step], parameter[0], 1e-6);
        }

        Assert.Equal(3, sgd.StepCount);
    }

    // The same rules in double for a buffer long enough to use full vectors and the padded tail.
    [Theory]
    [InlineData(0f, 0f, 0f, false)]
    [InlineData(0.9f, 0.1f, 5e-4f, false)]
    [InlineData(0.8f, 0f, 1e-2f, true)]
    public void A_long_buffer_matches_the_double_precision_rule_element_by_element(
        float momentum, float dampening, float weightDecay, bool nesterov)
    {
        const int count = 37;
        const double learningRate = 0.05;
        var random = new RandomSource(11);
        var parameters = new float[count];
        random.FillUniform(parameters, -1f, 1f);
        var expected = Array.ConvertAll(parameters, p => (double)p);
        var buffer = new double[count];
        var sgd = new Sgd(count, (float)learningRate, momentum, dampening, weightDecay, nesterov);
        var gradients = new float[count];

        for (int step = 0; step < 3; step++)
        {
            random.FillUniform(gradients, -1f, 1f);
            sgd.Step(parameters, gradients);
            for (int i = 0; i < count; i++)
            {
                double d = gradients[i] + (double)weightDecay * expected[i];
                if (momentum != 0)
                {
                    buffer[i] = step == 0 ? d : momentum * buffer[i] + (1 - (double)dampening) * d;
                    d = nesterov ? d + momentum * buffer[i] : buffer[i];
                }

                expected[i] -= learningRate * d;
            }
        }

        for (int i = 0; i < count; i++)
        {
            Assert.Equal(expected[i], parameters[i], 1e-6);
        }
    }

    [Fact]
    public void Every_element_goes_through_the_same_arithmetic_vector_lanes_and_tail_alike()
    {
        const int count = 29;
        var sgd = new Sgd(count, 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 0.01f);
        var parameters = Enumerable.Repeat(0.3f, count).ToArray();
        var gradients = Enumerable.Repeat(-0.7f, count).ToArray();

        sgd.Step(parameters, gradients);
        sgd.Step(parameters, gradients);

        Assert.All(parameters, p => Assert.Equal(BitConverter.SingleToInt32Bits(parameters[0]), BitConverter.SingleToInt32Bits(p)));
    }

    [Fact]
    public void Changing_the_learning_rate_takes_effect_at_the_next_step_and_Reset_forgets_momentum()
    {
        var sgd = new Sgd(1, 0.1f, momentum: 0.9f);
        float[] parameter = [1f];
        float[] gradient = [1f];
        sgd.Step(parameter, gradient);              // b = 1, p = 0.9
        sgd.LearningRate = 0.01f;
        sgd.Step(parameter, gradient);              // b = 1.9, p = 0.9 − 0.019 = 0.881
        Assert.Equal(0.881, parameter[0], 1e-6);

        sgd.Reset();
        sgd.Step(parameter, gradient);              // b = 1 again, p = 0.881 − 0.01 = 0.871
        Assert.Equal(0.871, parameter[0], 1e-6);
        Assert.Equal(1, sgd.StepCount);
    }

    [Fact]
    public void Invalid_settings_and_buffers_are_refused()
    {
        var nesterov = Assert.Throws<ArgumentException>(() => new Sgd(3, 0.1f, momentum: 0.9f, dampening: 0.1f, nesterov: true));
        Assert.Contains("zero dampening", nesterov.Message);
        Assert.Throws<ArgumentException>(() => new Sgd(3, 0.1f, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(3, -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(3, float.NaN));

        var sgd = new Sgd(3, 0.1f);
        var lengths = Assert.Throws<ArgumentException>(() => sgd.Step(new float[3], new float[4]));
        Assert.Contains("3", lengths.Message);
        Assert.Contains("4", lengths.Message);
        Assert.Throws<ArgumentException>(() => sgd.Step(new float[2], new float[2]));
    }
}
