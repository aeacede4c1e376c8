using CnnGen.Integration.Tests.Networks;

namespace CnnGen.Integration.Tests;

/// <summary>Max pooling breaks ties as PyTorch does: the first maximum in row-major window order wins, forward and backward.</summary>
public sealed class MaxPoolTieTests
{
    [Fact]
    public void First_maximum_in_each_window_receives_the_gradient()
    {
        var net = new MaxPoolTies { IsTraining = true };
        float[] image =
        [
            3, 3, 1, 5,
            3, 3, 5, 2,
            0, -1, 7, 7,
            -1, 0, 7, 7,
        ];
        var output = new float[4];
        net.ForwardBatch(image, output, 1);
        Assert.Equal(new float[] { 3f, 5f, 0f, 7f }, output);

        var inputGradient = new float[16];
        net.BackwardBatch(new float[] { 1, 2, 3, 4 }, inputGradient, 1);

        var expected = new float[16];
        expected[0] = 1; // all four are 3: the top-left
        expected[3] = 2; // 5 at (0, 3) comes before 5 at (1, 2)
        expected[8] = 3; // 0 at (2, 0) comes before 0 at (3, 1)
        expected[10] = 4; // all four are 7: the top-left
        Assert.Equal(expected, inputGradient);
    }

    [Fact]
    public void Overlapping_windows_of_equal_values_each_pick_their_own_top_left()
    {
        var net = new MaxPoolOverlappingTies { IsTraining = true };
        float[] image = Enumerable.Repeat(2.5f, 12).ToArray(); // 3 × 4
        var output = new float[6]; // 2 × 3
        net.ForwardBatch(image, output, 1);
        Assert.All(output, value => Assert.Equal(2.5f, value));

        float[] outputGradient = [1, 2, 3, 4, 5, 6];
        var inputGradient = new float[12];
        net.BackwardBatch(outputGradient, inputGradient, 1);

        var expected = new float[12];
        for (int oy = 0; oy < 2; oy++)
        {
            for (int ox = 0; ox < 3; ox++)
            {
                expected[(oy * 4) + ox] += outputGradient[(oy * 3) + ox];
            }
        }

        Assert.Equal(expected, inputGradient);
    }

    [Fact]
    public void NaN_in_a_window_propagates_as_in_PyTorch()
    {
        var net = new MaxPoolTies();
        var image = new float[16];
        image[5] = float.NaN; // window (0, 0)
        var output = new float[4];
        net.Forward(image, output);
        Assert.True(float.IsNaN(output[0]));
        Assert.Equal(new float[] { 0f, 0f, 0f }, output[1..]);
    }
}
