namespace CnnGen.Runtime;

/// <summary>
/// A small, seeded, allocation-free random source (xoshiro128** seeded through SplitMix64) so that
/// initialization, dropout and shuffling are reproducible on every platform and runtime version,
/// which <see cref="System.Random"/> does not promise.
/// </summary>
public sealed class RandomSource
{
    private uint _s0, _s1, _s2, _s3;

    /// <summary>A source seeded with <paramref name="seed"/>.</summary>
    public RandomSource(ulong seed) => Reset(seed);

    /// <summary>Restarts the sequence from <paramref name="seed"/>.</summary>
    public void Reset(ulong seed)
    {
        ulong a = SplitMix64(ref seed), b = SplitMix64(ref seed);
        _s0 = (uint)a;
        _s1 = (uint)(a >> 32);
        _s2 = (uint)b;
        _s3 = (uint)(b >> 32);
        if ((_s0 | _s1 | _s2 | _s3) == 0)
        {
            _s0 = 1;
        }
    }

    /// <summary>
    /// The whole state of the generator (its four 32-bit words, the first in the low bits), so that a
    /// checkpoint can save it and a resumed run continue the exact sequence. Setting it to a value read
    /// earlier restarts the sequence from that point; zero is not a state of xoshiro128** and is refused.
    /// </summary>
    public UInt128 State
    {
        get => new(((ulong)_s3 << 32) | _s2, ((ulong)_s1 << 32) | _s0);
        set
        {
            if (value == UInt128.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(value), "The all-zero state is not a state of xoshiro128**.");
            }

            ulong low = (ulong)value, high = (ulong)(value >> 64);
            (_s0, _s1, _s2, _s3) = ((uint)low, (uint)(low >> 32), (uint)high, (uint)(high >> 32));
        }
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt32()
    {
        uint result = uint.RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = uint.RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>A float uniform in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt32() >> 8) * (1f / (1 << 24));

    /// <summary>An integer uniform in [0, <paramref name="maxExclusive"/>) (Lemire's method, unbiased).</summary>
    public int NextInt32(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong product = (ulong)NextUInt32() * (uint)maxExclusive;
        uint low = (uint)product;
        if (low < (uint)maxExclusive)
        {
            uint threshold = (uint)-maxExclusive % (uint)maxExclusive;
            while (low < threshold)
            {
                product = (ulong)NextUInt32() * (uint)maxExclusive;
                low = (uint)product;
            }
        }

        return (int)(product >> 32);
    }

    /// <summary>Fills <paramref name="destination"/> uniformly from [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public void FillUniform(Span<float> destination, float min, float max)
    {
        float range = max - min;
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = min + range * NextSingle();
        }
    }

    /// <summary>A standard normal sample (Box–Muller).</summary>
    public float NextGaussian()
    {
        float u1 = 1f - NextSingle();
        float u2 = NextSingle();
        return MathF.Sqrt(-2f * MathF.Log(u1)) * MathF.Cos(2f * MathF.PI * u2);
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle(Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt32(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
