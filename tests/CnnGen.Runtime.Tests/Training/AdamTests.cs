using CnnGen.Runtime.Training;

namespace CnnGen.Runtime.Tests.Training;

public class AdamTests
{
    private static readonly float[] Start = [1f, -2f];

    // Gradients of the three steps: (0.5, −1), (0.1, 0.3), (−0.2, 0.05).
    private static readonly float[][] StepGradients = [[0.5f, -1f], [0.1f, 0.3f], [-0.2f, 0.05f]];

    /// <summary>
    /// torch.optim.Adam / AdamW written out in double for two parameters over three steps:
    /// <code>
    /// p ← p·(1 − lr·wd)                       AdamW
    /// g ← g + wd·p                            Adam
    /// m ← β1·m + (1 − β1)·g
    /// v ← β2·v + (1 − β2)·g²
    /// p ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
    /// </code>
    /// </summary>
    private static double[][] Reference(double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled)
    {
        double[] p = [Start[0], Start[1]];
        double[] m = [0, 0], v = [0, 0];
        var trajectory = new double[3][];
        for (int t = 1; t <= 3; t++)
        {
            for (int i = 0; i < 2; i++)
            {
                double g = StepGradients[t - 1][i];
                if (decoupled)
                {
                    p[i] *= 1 - lr * weightDecay;
                }
                else
                {
                    g += weightDecay * p[i];
                }

                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                double stepSize = lr / (1 - Math.Pow(beta1, t));
                double denominator = Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(beta2, t)) + eps;
                p[i] -= stepSize * m[i] / denominator;
            }

            trajectory[t - 1] = [p[0], p[1]];
        }

        return trajectory;
    }

    private static void AssertFollows(IOptimizer optimizer, double[][] expected)
    {
        float[] parameters = [.. Start];
        for (int step = 0; step < 3; step++)
        {
            optimizer.Step(parameters, StepGradients[step]);
            Assert.Equal(expected[step][0], parameters[0], 1e-6);
            Assert.Equal(expected[step][1], parameters[1], 1e-6);
        }
    }

    [Fact]
    public void Defaults_are_PyTorchs()
    {
        var adam = new Adam(2);
        Assert.Equal((1e-3f, 0.9f, 0.999f, 1e-8f, 0f), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay));
        var adamW = new AdamW(2);
        Assert.Equal((1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f), (adamW.LearningRate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay));
    }

    [Fact]
    public void The_first_step_moves_each_parameter_by_the_learning_rate_against_the_gradient_sign()
    {
        // Step 1: m = 0.1·g, v = 0.001·g²; bias-corrected m̂ = g, v̂ = g², so p −= lr·g/(|g| + eps).
        var adam = new Adam(2, learningRate: 0.1f);
        float[] parameters = [.. Start];
        adam.Step(parameters, StepGradients[0]);
        Assert.Equal(1 - 0.1 * 0.5 / (0.5 + 1e-8), parameters[0], 1e-6);  // ≈ 0.9
        Assert.Equal(-2 + 0.1 * 1 / (1 + 1e-8), parameters[1], 1e-6);     // ≈ −1.9
    }

    [Fact]
    public void Adam_follows_the_double_precision_rule_for_three_steps()
    {
        AssertFollows(new Adam(2, learningRate: 0.1f), Reference(0.1, 0.9, 0.999, 1e-8, 0, decoupled: false));
    }

    [Fact]
    public void Adam_with_other_betas_and_a_large_epsilon_follows_the_rule()
    {
        AssertFollows(
            new Adam(2, learningRate: 0.05f, beta1: 0.5f, beta2: 0.9f, epsilon: 0.1f),
            Reference(0.05, 0.5, 0.9, 0.1, 0, decoupled: false));
    }

    [Fact]
    public void Adam_weight_decay_is_an_L2_term_added_to_the_gradient()
    {
        AssertFollows(new Adam(2, learningRate: 0.1f, weightDecay: 0.3f), Reference(0.1, 0.9, 0.999, 1e-8, 0.3, decoupled: false));
    }

    [Fact]
    public void AdamW_decays_the_parameters_before_the_Adam_step()
    {
        AssertFollows(new AdamW(2, learningRate: 0.1f, weightDecay: 0.3f), Reference(0.1, 0.9, 0.999, 1e-8, 0.3, decoupled: true));
    }

    [Fact]
    public void With_a_zero_gradient_AdamW_only_shrinks_while_Adam_is_pushed_by_the_penalty()
    {
        // AdamW: m = v = 0, so the update is 0/(0 + eps) = 0 and p = 2·(1 − 0.1·0.5)³ = 1.7147.
        var adamW = new AdamW(1, learningRate: 0.1f, weightDecay: 0.5f);
        float[] decoupled = [2f];
        // Adam: g = 0.5·p > 0 and barely changes, so m̂/√v̂ ≈ 1 and p moves by ≈ lr: 2 → 1.9 → 1.8002 → 1.70.
        var adam = new Adam(1, learningRate: 0.1f, weightDecay: 0.5f);
        float[] coupled = [2f];
        float[] zero = [0f];
        for (int step = 0; step < 3; step++)
        {
            adamW.Step(decoupled, zero);
            adam.Step(coupled, zero);
        }

        Assert.Equal(2 * Math.Pow(0.95, 3), decoupled[0], 1e-6);
        Assert.Equal(1.7, coupled[0], 1e-2);
    }

    [Fact]
    public void A_long_buffer_matches_the_rule_element_by_element_through_vectors_and_the_tail()
    {
        const int count = 45;
        const double lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.02;
        var random = new RandomSource(5);
        var parameters = new float[count];
        random.FillUniform(parameters, -1f, 1f);
        var p = Array.ConvertAll(parameters, x => (double)x);
        var m = new double[count];
        var v = new double[count];
        var gradients = new float[count];
        var adamW = new AdamW(count, (float)lr, weightDecay: (float)weightDecay);

        for (int t = 1; t <= 4; t++)
        {
            random.FillUniform(gradients, -1f, 1f);
            adamW.Step(parameters, gradients);
            for (int i = 0; i < count; i++)
            {
                p[i] *= 1 - lr * weightDecay;
                m[i] = beta1 * m[i] + (1 - beta1) * gradients[i];
                v[i] = beta2 * v[i] + (1 - beta2) * gradients[i] * gradients[i];
                p[i] -= lr / (1 - Math.Pow(beta1, t)) * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(beta2, t)) + eps);
            }
        }

        for (int i = 0; i < count; i++)
        {
            Assert.Equal(p[i], parameters[i], 1e-5);
        }
    }

    [Fact]
    public void Reset_restarts_the_bias_correction()
    {
        var adam = new Adam(2, learningRate: 0.1f);
        float[] parameters = [.. Start];
        adam.Step(parameters, StepGradients[0]);
        adam.Step(parameters, StepGradients[1]);
        adam.Reset();
        Assert.Equal(0, adam.StepCount);

        float[] fresh = [.. Start];
        float[] again = [.. Start];
        new Adam(2, learningRate: 0.1f).Step(fresh, StepGradients[0]);
        adam.Step(again, StepGradients[0]);
        Assert.Equal(fresh, again);
    }

    [Fact]
    public void Invalid_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(2, beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(2, beta2: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(2, weightDecay: -1f));
        var adam = new Adam(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = float.PositiveInfinity);
        Assert.Throws<ArgumentException>(() => adam.Step(new float[2], new float[3]));
    }
}
