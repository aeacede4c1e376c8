using CnnGen.Runtime.Data;
using Xunit.Abstractions;

namespace CnnGen.Runtime.Tests.Data;

/// <summary>
/// Every damaged copy of a small compressed IDX file either fails with <see cref="InvalidDataException"/>
/// or reads exactly the original data: never different pixels or labels.
/// </summary>
public sealed class IdxCorruptionTests(ITestOutputHelper output) : IDisposable
{
    private readonly IdxFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Every_single_byte_inversion_of_a_compressed_image_file_throws_or_reads_the_same_pixels()
    {
        byte[] original = IdxFiles.Images(4, 12, 12, index => (byte)(index * index % 251 / 3));
        (int rejected, int identical, int wrong) = CorruptEvery(IdxFiles.Gzip(original), (bytes, index) => bytes[index] ^= 0xFF, original[16..], read: Images);
        output.WriteLine($"{rejected + identical + wrong} inversions: {rejected} rejected, {identical} identical, {wrong} wrong");

        Assert.Equal(0, wrong);
        Assert.True(rejected > identical, $"{rejected} rejected, {identical} identical");
    }

    [Fact]
    public void Every_single_bit_flip_of_a_compressed_label_file_throws_or_reads_the_same_labels()
    {
        byte[] labels = [.. Enumerable.Range(0, 300).Select(index => (byte)(index * 7 % 10))];
        byte[] original = IdxFiles.Labels(labels);
        byte[] compressed = IdxFiles.Gzip(original);
        int rejected = 0, identical = 0, wrong = 0;
        for (int bit = 0; bit < 8; bit++)
        {
            (int r, int i, int w) = CorruptEvery(compressed, (bytes, index) => bytes[index] ^= (byte)(1 << bit), labels, read: IdxReader.ReadLabels);
            (rejected, identical, wrong) = (rejected + r, identical + i, wrong + w);
        }

        output.WriteLine($"{8 * compressed.Length} bit flips: {rejected} rejected, {identical} identical, {wrong} wrong");
        Assert.Equal(0, wrong);
        Assert.Equal(8 * compressed.Length, rejected + identical);
        Assert.True(rejected > identical, $"{rejected} rejected, {identical} identical");
    }

    private static byte[] Images(string path) => IdxReader.ReadImages(path).Pixels;

    // Reads one damaged copy per byte position; identical means every byte read equals the expected data.
    private (int Rejected, int Identical, int Wrong) CorruptEvery(
        byte[] file, Action<byte[], int> damage, byte[] expected, Func<string, byte[]> read)
    {
        int rejected = 0, identical = 0, wrong = 0;
        for (int index = 0; index < file.Length; index++)
        {
            byte[] copy = (byte[])file.Clone();
            damage(copy, index);
            string path = _files.Write("damaged.gz", copy);
            try
            {
                byte[] data = read(path);
                if (data.AsSpan().SequenceEqual(expected))
                {
                    identical++;
                }
                else
                {
                    wrong++;
                }
            }
            catch (InvalidDataException)
            {
                rejected++;
            }
        }

        return (rejected, identical, wrong);
    }
}
