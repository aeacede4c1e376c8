using CnnGen.Integration.Tests.Networks;

namespace CnnGen.Integration.Tests;

/// <summary>Textbook examples with exact answers (every value is exactly representable).</summary>
public sealed class WorkedExampleTests
{
    [Fact]
    public void Average_pooling_2x2_of_a_4x4_image()
    {
        var net = new AveragePoolExample();
        float[] image =
        [
            0, 0, 2, 4,
            2, 2, 6, 8,
            9, 3, 2, 2,
            7, 5, 2, 2,
        ];
        var output = new float[AveragePoolExample.OutputLength];

        net.Forward(image, output);

        Assert.Equal(new float[] { 1f, 5f, 6f, 2f }, output);
    }

    [Fact]
    public void Vertical_edge_filter_finds_the_edge_between_bright_and_dark_columns()
    {
        var net = new EdgeFilterExample();
        float[] weight = [1, 0, -1, 1, 0, -1, 1, 0, -1];
        weight.CopyTo(net.Parameters);
        net.Parameters[9] = 0; // bias
        var image = new float[36];
        for (int y = 0; y < 6; y++)
        {
            for (int x = 0; x < 3; x++)
            {
                image[(y * 6) + x] = 10;
            }
        }

        var output = new float[EdgeFilterExample.OutputLength];
        net.Forward(image, output);

        Assert.Equal(16, output.Length);
        for (int row = 0; row < 4; row++)
        {
            Assert.Equal(new float[] { 0f, 30f, 30f, 0f }, output[(row * 4)..((row * 4) + 4)]);
        }
    }
}
