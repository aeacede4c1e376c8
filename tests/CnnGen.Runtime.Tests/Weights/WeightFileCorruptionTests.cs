using System.Buffers.Binary;
using CnnGen.Runtime.Tests.Training;
using CnnGen.Runtime.Weights;

namespace CnnGen.Runtime.Tests.Weights;

/// <summary>
/// Every way a load can fail: each throws <see cref="InvalidDataException"/> with the exact problem,
/// and leaves the network's parameters exactly as they were.
/// </summary>
public sealed class WeightFileCorruptionTests : IDisposable
{
    // LinearSoftmaxNetwork(6, 3): 21 parameters, no state; 32-byte header + 64-byte table + 84-byte payload + 4-byte CRC.
    private const int FileLength = 184;
    private const int PayloadStart = 96;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cnngen-weights-" + Guid.NewGuid().ToString("N"));

    public WeightFileCorruptionTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] ValidFile() => WeightFileTests.SaveToBytes(new LinearSoftmaxNetwork(features: 6, classes: 3, seed: 1));

    /// <summary>Loads <paramref name="file"/> into <paramref name="network"/> (by default a fresh 6→3 network) from a path, and checks nothing changed.</summary>
    private string LoadFails(byte[] file, INetwork? network = null)
    {
        network ??= new LinearSoftmaxNetwork(features: 6, classes: 3, seed: 2);
        float[] before = network.Parameters.ToArray();
        string path = Path.Combine(_directory, "weights.cnnw");
        File.WriteAllBytes(path, file);

        var exception = Assert.Throws<InvalidDataException>(() => WeightFile.Load(network, path));

        Assert.Equal(before, network.Parameters.ToArray());
        string prefix = $"Weight file '{path}'";
        Assert.StartsWith(prefix, exception.Message);
        return exception.Message[prefix.Length..];
    }

    [Fact]
    public void Another_kind_of_file_has_a_bad_magic_number()
    {
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

        Assert.Equal(
            ": bad magic number: expected \"CNNGENW1\" (434E4E47454E5731) but the file starts with 89504E470D0A1A0A (\".PNG....\"); it is not a CnnGen weight file.",
            LoadFails(png));
    }

    [Fact]
    public void A_short_file_of_another_kind_is_still_a_bad_magic_number()
    {
        Assert.Contains(": bad magic number:", LoadFails("CNX"u8.ToArray()));
    }

    [Fact]
    public void A_newer_format_version_is_unsupported()
    {
        byte[] file = ValidFile();
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(8), 3);

        Assert.Equal(": unsupported format version 3; this runtime reads versions 1 and 2.", LoadFails(file));
    }

    [Theory]
    [InlineData(0, " is truncated: expected 8 bytes (the magic number) but it has only 0.")]
    [InlineData(5, " is truncated: expected 8 bytes (the magic number) but it has only 5.")]
    [InlineData(10, " is truncated: expected 12 bytes (the magic number and format version) but it has only 10.")]
    [InlineData(20, " is truncated: expected 32 bytes (the 32-byte header of format version 2) but it has only 20.")]
    [InlineData(100, " is truncated: expected 184 bytes (32-byte header, 64-byte tensor table, 0 int64 counters, 21 float32 parameters and 0 of state, 4-byte CRC-32) but it has only 100.")]
    [InlineData(FileLength - 1, " is truncated: expected 184 bytes (32-byte header, 64-byte tensor table, 0 int64 counters, 21 float32 parameters and 0 of state, 4-byte CRC-32) but it has only 183.")]
    public void A_truncated_file_says_how_many_bytes_it_should_have(int length, string expected)
    {
        Assert.Equal(expected, LoadFails(ValidFile()[..length]));
    }

    [Fact]
    public void A_truncated_stream_that_cannot_seek_says_the_same()
    {
        var network = new LinearSoftmaxNetwork(features: 6, classes: 3, seed: 2);
        float[] before = network.Parameters.ToArray();

        var exception = Assert.Throws<InvalidDataException>(
            () => WeightFile.Load(network, new NonSeekableStream(new MemoryStream(ValidFile()[..150]))));

        Assert.Equal(
            "Weight stream is truncated: expected 184 bytes (32-byte header, 64-byte tensor table, 0 int64 counters, 21 float32 parameters and 0 of state, 4-byte CRC-32) but it has only 150.",
            exception.Message);
        Assert.Equal(before, network.Parameters.ToArray());
    }

    [Fact]
    public void Bytes_after_the_checksum_are_an_error_in_a_file()
    {
        Assert.Equal(
            ": 3 unexpected bytes after the checksum: expected 184 bytes (32-byte header, 64-byte tensor table, 0 int64 counters, 21 float32 parameters and 0 of state, 4-byte CRC-32) but the file has 187.",
            LoadFails([.. ValidFile(), 1, 2, 3]));
    }

    [Theory]
    [InlineData(PayloadStart + 4 * 7 + 1)] // a weight
    [InlineData(FileLength - 5)] // the last bias
    [InlineData(40)] // a letter of "linear.weight" in the table
    [InlineData(FileLength - 1)] // the checksum itself
    public void A_flipped_bit_anywhere_is_a_checksum_mismatch(int index)
    {
        byte[] file = ValidFile();
        file[index] ^= 0x10;

        Assert.Matches(
            @"^: checksum mismatch: the file stores CRC-32 0x[0-9A-F]{8} but its first 180 bytes give 0x[0-9A-F]{8}; the file is corrupt\.$",
            LoadFails(file));
    }

    [Fact]
    public void A_damaged_length_in_the_header_is_reported_before_reading_on()
    {
        byte[] file = ValidFile();
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(16), -21);

        Assert.Equal(": malformed header (negative parameter count -21); the file is corrupt.", LoadFails(file));
    }

    [Fact]
    public void A_table_that_passes_the_checksum_but_contradicts_itself_is_malformed()
    {
        // linear.bias's offset is its table entry's last field, just before the padding; move it into the weight.
        byte[] file = ValidFile();
        int biasOffsetField = 32 + 33 + 4 + 11 + 4 + 4;
        Assert.Equal(18, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(biasOffsetField)));
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(biasOffsetField), 16);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(FileLength - 4), CnnGen.Tests.Weights.WeightFileOracles.GzipCrc32(file[..^4]));

        Assert.Equal(
            ": malformed tensor table: 'linear.weight' (floats 0 to 17) overlaps 'linear.bias' (from 16).",
            LoadFails(file));
    }

    [Fact]
    public void Every_name_and_shape_mismatch_is_listed_in_one_message()
    {
        var saved = new TensorTableNetwork(
            ("conv1.weight", [32, 1, 5, 5]), ("conv1.bias", [32]), ("fc.weight", [10, 84]), ("fc.bias", [10]));
        var network = new TensorTableNetwork(
            ("conv1.weight", [32, 3, 5, 5]), ("conv1.bias", [32]), ("dense1.weight", [10, 84]), ("dense1.bias", [10]));

        Assert.Equal(
            " does not fit TensorTableNetwork: 5 mismatches (tensor: expected shape in the network, actual shape in the file):\n"
            + "  conv1.weight: expected (32, 3, 5, 5), file has (32, 1, 5, 5)\n"
            + "  dense1.weight: expected (10, 84), missing from the file\n"
            + "  dense1.bias: expected (10,), missing from the file\n"
            + "  fc.weight: not in the network, file has (10, 84)\n"
            + "  fc.bias: not in the network, file has (10,)",
            LoadFails(WeightFileTests.SaveToBytes(saved), network));
    }

    [Fact]
    public void A_file_of_a_differently_sized_layer_lists_both_tensors()
    {
        byte[] file = WeightFileTests.SaveToBytes(new LinearSoftmaxNetwork(features: 6, classes: 3, seed: 1));
        var network = new LinearSoftmaxNetwork(features: 5, classes: 4, seed: 2);

        Assert.Equal(
            " does not fit LinearSoftmaxNetwork: 2 mismatches (tensor: expected shape in the network, actual shape in the file):\n"
            + "  linear.weight: expected (4, 5), file has (3, 6)\n"
            + "  linear.bias: expected (4,), file has (3,)",
            LoadFails(file, network));
    }
}
