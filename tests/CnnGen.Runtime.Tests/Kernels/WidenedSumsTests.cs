using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary><see cref="WidenedSums"/> against double loops, for every length around the 8- and 16-float steps.</summary>
public class WidenedSumsTests
{
    [Fact]
    public void Every_length_matches_the_double_loop()
    {
        for (int length = 0; length <= 49; length++)
        {
            float[] x = GemmReference.RandomValues(length, seed: length).Select(v => 3 + v).ToArray();
            float[] y = GemmReference.RandomValues(length, seed: length + 100);
            const double center = 2.75;
            double sum = 0, squares = 0, dot = 0;
            for (int i = 0; i < length; i++)
            {
                sum += x[i];
                squares += (x[i] - center) * (x[i] - center);
                dot += y[i] * (x[i] - center);
            }

            Assert.Equal(sum, WidenedSums.Sum(x), 1e-12);
            Assert.Equal(squares, WidenedSums.SquaredDeviations(x, center), 1e-12);
            Assert.Equal(dot, WidenedSums.DotDeviations(y, x, center), 1e-12);
        }
    }
}
