using CnnGen.Runtime.Training;

namespace CnnGen.Runtime.Tests.Training;

public class SoftmaxCrossEntropyTests
{
    // The oracle: mean over rows of log Σ exp(x) − x[label], in double, without the max trick
    // (inputs stay small enough for that).
    private static double NaiveLoss(float[] logits, int[] labels)
    {
        int classes = logits.Length / labels.Length;
        double total = 0;
        for (int n = 0; n < labels.Length; n++)
        {
            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                sum += Math.Exp(logits[n * classes + c]);
            }

            total += Math.Log(sum) - logits[n * classes + labels[n]];
        }

        return total / labels.Length;
    }

    // (softmax − onehot) / N, in double.
    private static double[] NaiveGradient(float[] logits, int[] labels)
    {
        int classes = logits.Length / labels.Length;
        var gradient = new double[logits.Length];
        for (int n = 0; n < labels.Length; n++)
        {
            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                sum += Math.Exp(logits[n * classes + c]);
            }

            for (int c = 0; c < classes; c++)
            {
                double softmax = Math.Exp(logits[n * classes + c]) / sum;
                gradient[n * classes + c] = (softmax - (c == labels[n] ? 1 : 0)) / labels.Length;
            }
        }

        return gradient;
    }

    private static (float[] Logits, int[] Labels) RandomBatch(int batchSize, int classes, ulong seed, float scale = 3f)
    {
        var random = new RandomSource(seed);
        var logits = new float[batchSize * classes];
        random.FillUniform(logits, -scale, scale);
        var labels = new int[batchSize];
        for (int n = 0; n < batchSize; n++)
        {
            labels[n] = random.NextInt32(classes);
        }

        return (logits, labels);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(5, 7)]
    [InlineData(16, 10)]
    [InlineData(3, 600)] // more classes than one stack chunk of Loss
    public void Loss_and_gradient_match_the_double_precision_formulas(int batchSize, int classes)
    {
        var (logits, labels) = RandomBatch(batchSize, classes, seed: (ulong)(batchSize * 1000 + classes));
        double expected = NaiveLoss(logits, labels);
        double[] expectedGradient = NaiveGradient(logits, labels);

        float loss = SoftmaxCrossEntropy.Instance.Loss(logits, labels);
        var gradient = new float[logits.Length];
        float lossFromBackward = SoftmaxCrossEntropy.Instance.Backward(logits, labels, gradient);

        Assert.Equal(expected, loss, 1e-5 * Math.Max(1, expected));
        Assert.Equal(expected, lossFromBackward, 1e-5 * Math.Max(1, expected));
        for (int i = 0; i < gradient.Length; i++)
        {
            Assert.Equal(expectedGradient[i], gradient[i], 1e-6);
        }
    }

    [Fact]
    public void Gradient_matches_central_finite_differences_of_the_loss()
    {
        var (logits, labels) = RandomBatch(4, 5, seed: 42);
        var gradient = new float[logits.Length];
        SoftmaxCrossEntropy.Instance.Backward(logits, labels, gradient);

        const float h = 1e-2f;
        for (int i = 0; i < logits.Length; i++)
        {
            float saved = logits[i];
            logits[i] = saved + h;
            double plus = SoftmaxCrossEntropy.Instance.Loss(logits, labels);
            logits[i] = saved - h;
            double minus = SoftmaxCrossEntropy.Instance.Loss(logits, labels);
            logits[i] = saved;
            Assert.Equal((plus - minus) / (2 * h), gradient[i], 2e-4);
        }
    }

    [Fact]
    public void Huge_logits_stay_finite_thanks_to_the_max_subtraction()
    {
        // Row 0: label holds the largest logit, loss ≈ 0. Row 1: label is 2000 below the max.
        float[] logits = [1000f, 0f, -1000f, 1000f, 0f, -1000f];
        int[] labels = [0, 2];
        var gradient = new float[6];

        float loss = SoftmaxCrossEntropy.Instance.Backward(logits, labels, gradient);

        Assert.Equal((0 + 2000) / 2f, loss, 1e-3f);
        Assert.Equal(loss, SoftmaxCrossEntropy.Instance.Loss(logits, labels));
        Assert.All(gradient, g => Assert.True(float.IsFinite(g)));
        Assert.Equal([0f, 0f, 0f, 0.5f, 0f, -0.5f], gradient);
    }

    [Fact]
    public void Two_equal_logits_of_two_classes_give_log_two_and_a_quarter_gradient()
    {
        // softmax = (½, ½); loss = ln 2; gradient = (½ − 1, ½) / N with N = 2.
        float[] logits = [3f, 3f, -1f, -1f];
        int[] labels = [0, 1];
        var gradient = new float[4];

        float loss = SoftmaxCrossEntropy.Instance.Backward(logits, labels, gradient);

        Assert.Equal(MathF.Log(2), loss, 1e-6f);
        Assert.Equal([-0.25f, 0.25f, 0.25f, -0.25f], gradient);
    }

    [Fact]
    public void Backward_may_write_the_gradient_over_the_logits()
    {
        var (logits, labels) = RandomBatch(3, 4, seed: 7);
        var separate = new float[logits.Length];
        float expectedLoss = SoftmaxCrossEntropy.Instance.Backward(logits, labels, separate);

        float loss = SoftmaxCrossEntropy.Instance.Backward(logits, labels, logits);

        Assert.Equal(expectedLoss, loss);
        Assert.Equal(separate, logits);
    }

    [Fact]
    public void CountCorrect_counts_rows_whose_argmax_is_the_label_and_the_first_maximum_wins_ties()
    {
        float[] logits =
        [
            0.1f, 0.9f, 0.0f, // argmax 1
            2.0f, 2.0f, 1.0f, // tie: argmax 0
            -1f, -3f, -0.5f,  // argmax 2
        ];

        Assert.Equal(3, SoftmaxCrossEntropy.CountCorrect(logits, [1, 0, 2]));
        Assert.Equal(1, SoftmaxCrossEntropy.CountCorrect(logits, [1, 1, 0]));
    }

    [Fact]
    public void Bad_arguments_throw_with_the_numbers()
    {
        var loss = SoftmaxCrossEntropy.Instance;
        var label = Assert.Throws<ArgumentOutOfRangeException>(() => loss.Loss(new float[6], [0, 3]));
        Assert.Contains("Label 3 of sample 1 is outside [0, 3)", label.Message);

        var shape = Assert.Throws<ArgumentException>(() => loss.Loss(new float[7], [0, 1]));
        Assert.Contains("7", shape.Message);
        Assert.Contains("2 labels", shape.Message);

        var gradient = Assert.Throws<ArgumentException>(() => loss.Backward(new float[6], [0, 1], new float[5]));
        Assert.Contains("5", gradient.Message);
        Assert.Contains("6", gradient.Message);

        Assert.Throws<ArgumentException>(() => loss.Loss([], []));
    }
}

public class MeanSquaredErrorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(1000)] // several stack chunks
    public void Loss_and_gradient_match_the_double_precision_formulas(int length)
    {
        var random = new RandomSource((ulong)length);
        var outputs = new float[length];
        var targets = new float[length];
        random.FillUniform(outputs, -2f, 2f);
        random.FillUniform(targets, -2f, 2f);

        double expected = 0;
        for (int i = 0; i < length; i++)
        {
            expected += ((double)outputs[i] - targets[i]) * ((double)outputs[i] - targets[i]);
        }

        expected /= length;
        var gradient = new float[length];

        Assert.Equal(expected, MeanSquaredError.Instance.Loss(outputs, targets), 1e-5 * expected);
        Assert.Equal(expected, MeanSquaredError.Instance.Backward(outputs, targets, gradient), 1e-5 * expected);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(2.0 * (outputs[i] - targets[i]) / length, gradient[i], 1e-7);
        }
    }

    [Fact]
    public void A_batch_of_two_samples_of_two_outputs_divides_by_four()
    {
        // Differences (1, −2, 0, 3): loss = (1 + 4 + 0 + 9) / 4 = 3.5; gradient = 2·difference / 4.
        float[] outputs = [1f, 0f, 5f, 4f];
        float[] targets = [0f, 2f, 5f, 1f];
        var gradient = new float[4];

        Assert.Equal(3.5f, MeanSquaredError.Instance.Backward(outputs, targets, gradient));
        Assert.Equal([0.5f, -1f, 0f, 1.5f], gradient);
    }

    [Fact]
    public void Gradient_matches_central_finite_differences_of_the_loss()
    {
        var random = new RandomSource(3);
        var outputs = new float[6];
        var targets = new float[6];
        random.FillUniform(outputs, -1f, 1f);
        random.FillUniform(targets, -1f, 1f);
        var gradient = new float[6];
        MeanSquaredError.Instance.Backward(outputs, targets, gradient);

        const float h = 1e-2f;
        for (int i = 0; i < outputs.Length; i++)
        {
            float saved = outputs[i];
            outputs[i] = saved + h;
            double plus = MeanSquaredError.Instance.Loss(outputs, targets);
            outputs[i] = saved - h;
            double minus = MeanSquaredError.Instance.Loss(outputs, targets);
            outputs[i] = saved;
            Assert.Equal((plus - minus) / (2 * h), gradient[i], 1e-4);
        }
    }

    [Fact]
    public void Mismatched_lengths_throw_with_both_lengths()
    {
        var exception = Assert.Throws<ArgumentException>(() => MeanSquaredError.Instance.Loss(new float[3], new float[4]));
        Assert.Contains("3", exception.Message);
        Assert.Contains("4", exception.Message);
    }
}
