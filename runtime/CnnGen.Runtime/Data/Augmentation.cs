namespace CnnGen.Runtime.Data;

/// <summary>
/// Random per-sample changes applied to a training batch: a horizontal flip, a translation by whole
/// pixels, and additive Gaussian noise, in that order. Settings are immutable; randomness comes from
/// the <see cref="RandomSource"/> passed to <see cref="Apply"/>, so a seed reproduces every batch.
/// </summary>
/// <remarks>
/// For each sample, when enabled and in this order, <see cref="Apply"/> draws: whether to flip
/// (<see cref="RandomSource.NextSingle"/> &lt; <see cref="FlipProbability"/>), then the shift
/// <c>dx</c>, <c>dy</c>, each uniform in [−<see cref="MaxShift"/>, <see cref="MaxShift"/>], then one
/// Gaussian per float. A shift moves content right by <c>dx</c> and down by <c>dy</c>
/// (<c>out[y, x] = flipped[y − dy, x − dx]</c>); uncovered pixels get <see cref="FillValue"/>.
/// </remarks>
public sealed record Augmentation
{
    private readonly float _flipProbability;
    private readonly int _maxShift;
    private readonly float _noiseStandardDeviation;

    /// <summary>Probability in [0, 1] of mirroring a sample left to right.</summary>
    public float FlipProbability
    {
        get => _flipProbability;
        init => _flipProbability = value is >= 0f and <= 1f
            ? value
            : throw new ArgumentOutOfRangeException(nameof(FlipProbability), value, "The flip probability must be in [0, 1].");
    }

    /// <summary>The largest translation, in pixels, along each axis (0 disables shifting).</summary>
    public int MaxShift
    {
        get => _maxShift;
        init => _maxShift = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxShift), value, "The maximum shift must not be negative.");
    }

    /// <summary>The standard deviation of the zero-mean Gaussian noise added to every float (0 disables it).</summary>
    public float NoiseStandardDeviation
    {
        get => _noiseStandardDeviation;
        init => _noiseStandardDeviation = value >= 0f && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(NoiseStandardDeviation), value, "The noise standard deviation must be finite and non-negative.");
    }

    /// <summary>
    /// The value of pixels a shift uncovers: 0 by default; after <see cref="Dataset.Normalize"/> use
    /// <c>(0 − mean) / std</c> to fill with black.
    /// </summary>
    public float FillValue { get; init; }

    /// <summary>
    /// Writes an augmented copy of <paramref name="images"/> (a batch of samples of <paramref name="shape"/>)
    /// into <paramref name="destination"/>, which must have the same length and must not overlap it.
    /// </summary>
    public void Apply(ReadOnlySpan<float> images, Span<float> destination, SampleShape shape, RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        int sampleLength = shape.Length;
        if (sampleLength == 0 || images.Length % sampleLength != 0)
        {
            throw new ArgumentException(
                $"The batch has {images.Length} floats, which is not a whole number of {shape} samples.", nameof(images));
        }

        if (destination.Length != images.Length)
        {
            throw new ArgumentException(
                $"The destination has {destination.Length} floats but the batch has {images.Length}.", nameof(destination));
        }

        if (images.Overlaps(destination))
        {
            throw new ArgumentException("The destination must not overlap the source batch.", nameof(destination));
        }

        for (int sample = 0; sample < images.Length / sampleLength; sample++)
        {
            ReadOnlySpan<float> source = images.Slice(sample * sampleLength, sampleLength);
            Span<float> target = destination.Slice(sample * sampleLength, sampleLength);
            bool flip = _flipProbability > 0f && random.NextSingle() < _flipProbability;
            int shiftX = 0, shiftY = 0;
            if (_maxShift > 0)
            {
                shiftX = random.NextInt32(2 * _maxShift + 1) - _maxShift;
                shiftY = random.NextInt32(2 * _maxShift + 1) - _maxShift;
            }

            Transform(source, target, shape, flip, shiftX, shiftY);
            if (_noiseStandardDeviation > 0f)
            {
                for (int i = 0; i < target.Length; i++)
                {
                    target[i] += _noiseStandardDeviation * random.NextGaussian();
                }
            }
        }
    }

    // One sample (C,H,W): out[c, y, x] = in[c, y − shiftY, flip ? W − 1 − (x − shiftX) : x − shiftX].
    private void Transform(ReadOnlySpan<float> source, Span<float> target, SampleShape shape, bool flip, int shiftX, int shiftY)
    {
        int height = shape.Height, width = shape.Width;

        // Destination columns whose source column x − shiftX lies inside the row.
        int firstColumn = Math.Clamp(shiftX, 0, width);
        int endColumn = Math.Clamp(width + shiftX, 0, width);
        for (int channel = 0; channel < shape.Channels; channel++)
        {
            for (int y = 0; y < height; y++)
            {
                Span<float> targetRow = target.Slice((channel * height + y) * width, width);
                int sourceY = y - shiftY;
                if ((uint)sourceY >= (uint)height || firstColumn >= endColumn)
                {
                    targetRow.Fill(FillValue);
                    continue;
                }

                ReadOnlySpan<float> sourceRow = source.Slice((channel * height + sourceY) * width, width);
                targetRow[..firstColumn].Fill(FillValue);
                targetRow[endColumn..].Fill(FillValue);
                Span<float> covered = targetRow[firstColumn..endColumn];
                if (flip)
                {
                    // Columns x − shiftX in [first − shiftX, end − shiftX) of the mirrored row are
                    // source columns W − end + shiftX … W − 1 − first + shiftX, read backwards.
                    sourceRow.Slice(width - endColumn + shiftX, covered.Length).CopyTo(covered);
                    covered.Reverse();
                }
                else
                {
                    sourceRow.Slice(firstColumn - shiftX, covered.Length).CopyTo(covered);
                }
            }
        }
    }
}
