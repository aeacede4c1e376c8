namespace CnnGen.Integration.Tests.Oracles;

/// <summary>
/// Central finite differences of <see cref="OracleNetwork.Loss"/> in double precision:
/// <c>(L(θ + h) − L(θ − h)) / 2h</c>, one coordinate at a time.
/// </summary>
internal static class FiniteDifferences
{
    public const double Step = 1e-5;

    /// <summary>dLoss/dParameter for each index in <paramref name="indices"/>.</summary>
    public static double[] ParameterGradient(OracleNetwork network, double[] parameters, double[] inputs, int batchSize, double[] outputWeights, IReadOnlyList<int> indices) =>
        indices.Select(i => Derivative(parameters, i, p => network.Loss(p, inputs, batchSize, outputWeights))).ToArray();

    /// <summary>dLoss/dInput for every input value of the batch (a sample's input moves only its own output).</summary>
    public static double[] InputGradient(OracleNetwork network, double[] parameters, double[] inputs, int batchSize, double[] outputWeights)
    {
        int inputLength = network.InputShape.Size, outputLength = network.OutputShape.Size;
        var gradient = new double[inputs.Length];
        for (int n = 0; n < batchSize; n++)
        {
            double[] sample = inputs.AsSpan(n * inputLength, inputLength).ToArray();
            double[] sampleWeights = outputWeights.AsSpan(n * outputLength, outputLength).ToArray();
            for (int i = 0; i < inputLength; i++)
            {
                gradient[(n * inputLength) + i] = Derivative(sample, i, x => network.Loss(parameters, x, 1, sampleWeights));
            }
        }

        return gradient;
    }

    /// <summary>The central difference of <paramref name="loss"/> along coordinate <paramref name="index"/> of <paramref name="point"/>.</summary>
    public static double Derivative(double[] point, int index, Func<double[], double> loss)
    {
        double saved = point[index];
        point[index] = saved + Step;
        double up = loss(point);
        point[index] = saved - Step;
        double down = loss(point);
        point[index] = saved;
        return (up - down) / (2 * Step);
    }
}
