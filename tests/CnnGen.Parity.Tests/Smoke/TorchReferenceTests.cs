using CnnGen.Parity.Tests.Reference;

namespace CnnGen.Parity.Tests.Smoke;

/// <summary>Checks <see cref="TorchReference"/> against hand computations and textbook optimizer updates.</summary>
[Collection(TorchCollection.Name)]
public class TorchReferenceTests
{
    private static float[] Arange(int n) => Enumerable.Range(0, n).Select(i => (float)i).ToArray();

    private static float Wave(int i) => MathF.Sin((i * 0.7f) + 0.3f) * 0.4f;

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] expected {expected[i]}, got {actual[i]}");
        }
    }

    private static TorchReference SmallCnn() => new(
        new Layer.Conv2d(1, 2, 3),
        new Layer.ReLU(),
        new Layer.MaxPool2d(2),
        new Layer.Flatten(),
        new Layer.Linear(8, 3));

    [Fact]
    public void Parameters_are_in_pytorch_order_and_round_trip()
    {
        using var net = SmallCnn();

        Assert.Equal([[2L, 1, 3, 3], [2L], [3L, 8], [3L]], net.ParameterShapes);
        Assert.Equal(18 + 2 + 24 + 3, net.ParameterCount);

        var values = Enumerable.Range(0, net.ParameterCount).Select(i => (float)i).ToArray();
        net.SetParameters(values);
        Assert.Equal(values, net.GetParameters());

        // The conv bias is the 2 values right after the 18 conv weights: check it through the model.
        using var output = new TorchReference(new Layer.Conv2d(1, 2, 3));
        output.SetParameters(values[..20]);
        var y = output.Forward(new float[9], 1, 1, 3, 3); // zero input => output = bias
        Assert.Equal([1L, 2, 1, 1], y.Shape);
        Assert.Equal([18f, 19f], y.Values);
    }

    [Fact]
    public void Conv2d_through_reference_matches_edge_filter_hand_values()
    {
        using var net = new TorchReference(new Layer.Conv2d(1, 1, 3));
        net.SetParameters([1, 0, -1, 1, 0, -1, 1, 0, -1, /* bias */ 0]);
        var image = Enumerable.Range(0, 36).Select(i => i % 6 < 3 ? 10f : 0f).ToArray();

        var y = net.Forward(image, 1, 1, 6, 6);

        Assert.Equal([1L, 1, 4, 4], y.Shape);
        Assert.Equal(Enumerable.Repeat(new[] { 0f, 30f, 30f, 0f }, 4).SelectMany(r => r), y.Values);
    }

    [Fact]
    public void Conv2d_stride_padding_dilation_shapes_and_values()
    {
        using var dilated = new TorchReference(new Layer.Conv2d(1, 1, 3, Dilation: 2));
        dilated.SetParameters(i => i < 9 ? 1f : 0f);
        var d = dilated.Forward(Arange(49), 1, 1, 7, 7);
        Assert.Equal([1L, 1, 3, 3], d.Shape);
        Assert.Equal(144f, d.Values[0]); // sum of x[7i + j] for i, j in {0, 2, 4}

        using var strided = new TorchReference(new Layer.Conv2d(1, 1, 3, Stride: 2, Padding: 1));
        strided.SetParameters(i => i < 9 ? 1f : 0f);
        var s = strided.Forward(Arange(16), 1, 1, 4, 4);
        Assert.Equal([1L, 1, 2, 2], s.Shape);
        Assert.Equal(0f + 1 + 4 + 5, s.Values[0]); // top-left window hangs over the zero padding
    }

    [Fact]
    public void Pooling_matches_hand_values()
    {
        var x = Arange(16); // 4×4, x[r][c] = 4r + c

        using var max = new TorchReference(new Layer.MaxPool2d(2, Stride: 1));
        Assert.Equal([5f, 6, 7, 9, 10, 11, 13, 14, 15], max.Forward(x, 1, 1, 4, 4).Values);

        using var avg = new TorchReference(new Layer.AvgPool2d(2));
        Assert.Equal([2.5f, 4.5f, 10.5f, 12.5f], avg.Forward(x, 1, 1, 4, 4).Values);

        using var padded = new TorchReference(new Layer.AvgPool2d(3, Stride: 2, Padding: 1));
        Assert.Equal(10f / 9f, padded.Forward(x, 1, 1, 4, 4).Values[0], 6);

        using var paddedExcl = new TorchReference(new Layer.AvgPool2d(3, Stride: 2, Padding: 1, CountIncludePad: false));
        Assert.Equal(2.5f, paddedExcl.Forward(x, 1, 1, 4, 4).Values[0], 6);
    }

    [Fact]
    public void Activations_softmax_and_dropout()
    {
        float[] x = [-1, 0, 2, 3, 0.5f, -2];

        using var relu = new TorchReference(new Layer.ReLU());
        Assert.Equal([0f, 0, 2, 3, 0.5f, 0], relu.Forward(x, 2, 3).Values);

        using var sigmoid = new TorchReference(new Layer.Sigmoid());
        AssertClose(x.Select(v => (float)(1 / (1 + Math.Exp(-v)))).ToArray(), sigmoid.Forward(x, 2, 3).Values, 1e-6);

        using var tanh = new TorchReference(new Layer.Tanh());
        AssertClose(x.Select(MathF.Tanh).ToArray(), tanh.Forward(x, 2, 3).Values, 1e-6);

        using var softmax = new TorchReference(new Layer.Softmax());
        var p = softmax.Forward(x, 2, 3).Values;
        for (var row = 0; row < 2; row++)
        {
            var z = x[(row * 3)..((row * 3) + 3)];
            var e = z.Select(v => Math.Exp(v - z.Max())).ToArray();
            AssertClose(e.Select(v => (float)(v / e.Sum())).ToArray(), p[(row * 3)..((row * 3) + 3)], 1e-6);
        }

        using var dropout = new TorchReference(new Layer.Dropout(0.5));
        Assert.False(dropout.Training);
        Assert.Equal(x, dropout.Forward(x, 2, 3).Values); // eval mode: identity
        dropout.Training = true;
        var dropped = dropout.Forward(Enumerable.Repeat(1f, 1000).ToArray(), 10, 100).Values;
        Assert.All(dropped, v => Assert.True(v == 0f || v == 2f));
        Assert.Contains(0f, dropped);
        Assert.Contains(2f, dropped);
    }

    [Fact]
    public void CrossEntropy_backward_matches_hand_gradients_for_linear()
    {
        using var net = new TorchReference(new Layer.Linear(3, 2));
        float[] w = [0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f];
        float[] b = [0.05f, -0.05f];
        net.SetParameters([.. w, .. b]);
        float[] x = [1, 2, 3, -1, 0.5f, 2];
        long[] targets = [1, 0];

        var result = net.CrossEntropyBackward(x, [2, 3], targets);

        // By hand: z = xWᵀ + b, dL/dz = (softmax(z) − onehot) / N, dW = dzᵀx, db = Σ dz, dx = dz W.
        var dW = new double[6];
        var db = new double[2];
        var dx = new double[6];
        double loss = 0;
        for (var n = 0; n < 2; n++)
        {
            var z = new double[2];
            for (var o = 0; o < 2; o++)
            {
                z[o] = b[o];
                for (var i = 0; i < 3; i++)
                {
                    z[o] += w[(o * 3) + i] * x[(n * 3) + i];
                }
            }

            var m = Math.Max(z[0], z[1]);
            var sum = Math.Exp(z[0] - m) + Math.Exp(z[1] - m);
            loss += -(z[targets[n]] - m - Math.Log(sum)) / 2;
            for (var o = 0; o < 2; o++)
            {
                var dz = ((Math.Exp(z[o] - m) / sum) - (o == targets[n] ? 1 : 0)) / 2;
                db[o] += dz;
                for (var i = 0; i < 3; i++)
                {
                    dW[(o * 3) + i] += dz * x[(n * 3) + i];
                    dx[(n * 3) + i] += dz * w[(o * 3) + i];
                }
            }
        }

        Assert.Equal(loss, result.Loss, 5);
        AssertClose([.. dW.Select(v => (float)v), .. db.Select(v => (float)v)], result.ParameterGradients, 1e-6);
        AssertClose(dx.Select(v => (float)v).ToArray(), result.InputGradient, 1e-6);
    }

    [Fact]
    public void Sgd_momentum_three_steps_match_textbook_update()
    {
        var (x, shape, targets) = Batch();
        using var net = SmallCnn();
        net.SetParameters(Wave);
        const float lr = 0.05f, momentum = 0.9f;

        // Reference: v ← μv + g (v₁ = g₁), p ← p − lr·v, with gradients from torch itself.
        var p = net.GetParameters();
        var v = new float[p.Length];
        var losses = new float[3];
        for (var step = 0; step < 3; step++)
        {
            net.SetParameters(p);
            var g = net.CrossEntropyBackward(x, shape, targets);
            losses[step] = g.Loss;
            for (var i = 0; i < p.Length; i++)
            {
                v[i] = step == 0 ? g.ParameterGradients[i] : (momentum * v[i]) + g.ParameterGradients[i];
                p[i] -= lr * v[i];
            }
        }

        net.SetParameters(Wave);
        var trained = net.TrainSgd(x, shape, targets, steps: 3, lr: lr, momentum: momentum);

        AssertClose(losses, trained.Losses, 1e-6);
        AssertClose(p, trained.Parameters, 1e-6);
        Assert.True(trained.Losses[2] < trained.Losses[0], "three SGD steps on one batch should reduce its loss");
    }

    [Fact]
    public void Adam_three_steps_match_textbook_update()
    {
        var (x, shape, targets) = Batch();
        using var net = SmallCnn();
        net.SetParameters(Wave);
        const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;

        var p = net.GetParameters();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (var t = 1; t <= 3; t++)
        {
            net.SetParameters(p);
            var g = net.CrossEntropyBackward(x, shape, targets).ParameterGradients;
            for (var i = 0; i < p.Length; i++)
            {
                m[i] = (b1 * m[i]) + ((1 - b1) * g[i]);
                v[i] = (b2 * v[i]) + ((1 - b2) * g[i] * g[i]);
                var mHat = m[i] / (1 - Math.Pow(b1, t));
                var vHat = v[i] / (1 - Math.Pow(b2, t));
                p[i] = (float)(p[i] - (lr * mHat / (Math.Sqrt(vHat) + eps)));
            }
        }

        net.SetParameters(Wave);
        var trained = net.TrainAdam(x, shape, targets, steps: 3, lr: lr, beta1: b1, beta2: b2, eps: eps);

        Assert.Equal(3, trained.Losses.Length);
        Assert.True(trained.Losses[2] < trained.Losses[0], "three Adam steps on one batch should reduce its loss");
        AssertClose(p, trained.Parameters, 1e-5);
    }

    private static (float[] X, long[] Shape, long[] Targets) Batch()
    {
        var x = Enumerable.Range(0, 2 * 36).Select(i => MathF.Cos(i * 0.37f)).ToArray();
        return (x, [2, 1, 6, 6], [2, 0]);
    }
}
