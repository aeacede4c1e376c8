using CnnGen.Runtime.Data;

namespace CnnGen.Runtime.Tests.Data;

public class AugmentationTests
{
    private static readonly SampleShape Shape = new(2, 3, 4);

    // Sample s, channel c, row y, column x holds s·1000 + c·100 + y·10 + x: every pixel is distinct.
    private static float[] Batch(int samples)
    {
        var images = new float[samples * Shape.Length];
        for (int s = 0; s < samples; s++)
        {
            for (int c = 0; c < Shape.Channels; c++)
            {
                for (int y = 0; y < Shape.Height; y++)
                {
                    for (int x = 0; x < Shape.Width; x++)
                    {
                        images[Index(s, c, y, x)] = s * 1000 + c * 100 + y * 10 + x;
                    }
                }
            }
        }

        return images;
    }

    private static int Index(int s, int c, int y, int x) => ((s * Shape.Channels + c) * Shape.Height + y) * Shape.Width + x;

    [Fact]
    public void A_certain_flip_mirrors_every_row_of_every_channel()
    {
        float[] images = Batch(3);
        var output = new float[images.Length];

        new Augmentation { FlipProbability = 1f }.Apply(images, output, Shape, new RandomSource(1));

        for (int s = 0; s < 3; s++)
        {
            for (int c = 0; c < 2; c++)
            {
                for (int y = 0; y < 3; y++)
                {
                    for (int x = 0; x < 4; x++)
                    {
                        Assert.Equal(images[Index(s, c, y, 3 - x)], output[Index(s, c, y, x)]);
                    }
                }
            }
        }
    }

    [Fact]
    public void Without_any_setting_the_batch_is_copied_unchanged()
    {
        float[] images = Batch(2);
        var output = new float[images.Length];
        new Augmentation().Apply(images, output, Shape, new RandomSource(1));
        Assert.Equal(images, output);
    }

    [Fact]
    public void Flip_probability_is_respected_on_average()
    {
        var shape = new SampleShape(1, 1, 2);
        float[] images = Enumerable.Range(0, 20_000).Select(i => (float)(i % 2)).ToArray(); // each sample (0, 1)
        var output = new float[images.Length];

        new Augmentation { FlipProbability = 0.3f }.Apply(images, output, shape, new RandomSource(4));

        double flipped = Enumerable.Range(0, 10_000).Count(s => output[2 * s] == 1f) / 10_000.0;
        Assert.InRange(flipped, 0.28, 0.32);
    }

    [Fact]
    public void A_shift_moves_pixels_by_the_drawn_offsets_and_fills_what_it_uncovers()
    {
        float[] images = Batch(50);
        var output = new float[images.Length];
        var augmentation = new Augmentation { MaxShift = 2, FillValue = -1f };

        augmentation.Apply(images, output, Shape, new RandomSource(9));

        // Replay the documented draws: dx, then dy, each uniform in [−2, 2].
        var replay = new RandomSource(9);
        var shifts = new HashSet<(int, int)>();
        for (int s = 0; s < 50; s++)
        {
            int dx = replay.NextInt32(5) - 2, dy = replay.NextInt32(5) - 2;
            shifts.Add((dx, dy));
            for (int c = 0; c < 2; c++)
            {
                for (int y = 0; y < 3; y++)
                {
                    for (int x = 0; x < 4; x++)
                    {
                        int sourceY = y - dy, sourceX = x - dx;
                        float expected = sourceY is >= 0 and < 3 && sourceX is >= 0 and < 4
                            ? images[Index(s, c, sourceY, sourceX)]
                            : -1f;
                        Assert.Equal(expected, output[Index(s, c, y, x)]);
                    }
                }
            }
        }

        Assert.True(shifts.Count > 15, $"only {shifts.Count} of the 25 shifts were drawn");
    }

    [Fact]
    public void Flip_then_shift_reads_the_mirrored_image_at_the_shifted_position()
    {
        float[] images = Batch(40);
        var output = new float[images.Length];

        new Augmentation { FlipProbability = 0.5f, MaxShift = 1 }.Apply(images, output, Shape, new RandomSource(21));

        var replay = new RandomSource(21);
        for (int s = 0; s < 40; s++)
        {
            bool flip = replay.NextSingle() < 0.5f;
            int dx = replay.NextInt32(3) - 1, dy = replay.NextInt32(3) - 1;
            for (int c = 0; c < 2; c++)
            {
                for (int y = 0; y < 3; y++)
                {
                    for (int x = 0; x < 4; x++)
                    {
                        int sourceY = y - dy, shiftedX = x - dx;
                        float expected = sourceY is >= 0 and < 3 && shiftedX is >= 0 and < 4
                            ? images[Index(s, c, sourceY, flip ? 3 - shiftedX : shiftedX)]
                            : 0f;
                        Assert.Equal(expected, output[Index(s, c, y, x)]);
                    }
                }
            }
        }
    }

    [Fact]
    public void Noise_has_zero_mean_and_the_requested_standard_deviation()
    {
        var shape = new SampleShape(1, 10, 10);
        var images = new float[500 * shape.Length];
        var output = new float[images.Length];

        new Augmentation { NoiseStandardDeviation = 0.5f }.Apply(images, output, shape, new RandomSource(3));

        double mean = output.Average(x => (double)x);
        double std = Math.Sqrt(output.Average(x => (x - mean) * (x - mean)));
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(std, 0.49, 0.51);
    }

    [Fact]
    public void The_same_seed_gives_the_same_batch()
    {
        float[] images = Batch(8);
        var augmentation = new Augmentation { FlipProbability = 0.5f, MaxShift = 1, NoiseStandardDeviation = 0.1f };
        var first = new float[images.Length];
        var second = new float[images.Length];

        augmentation.Apply(images, first, Shape, new RandomSource(77));
        augmentation.Apply(images, second, Shape, new RandomSource(77));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Bad_settings_and_buffers_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { FlipProbability = 1.5f });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { MaxShift = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { NoiseStandardDeviation = -0.1f });

        var augmentation = new Augmentation();
        float[] images = Batch(2);
        var random = new RandomSource(1);
        var partial = Assert.Throws<ArgumentException>(() => augmentation.Apply(images.AsSpan(1), new float[47], Shape, random));
        Assert.Contains("47 floats", partial.Message);
        Assert.Throws<ArgumentException>(() => augmentation.Apply(images, new float[10], Shape, random));
        Assert.Throws<ArgumentException>(() => augmentation.Apply(images, images, Shape, random));
    }
}
