using System.Buffers.Binary;
using CnnGen.Runtime.Tests.Training;
using CnnGen.Runtime.Weights;
using static CnnGen.Tests.Weights.WeightFileOracles;

namespace CnnGen.Runtime.Tests.Weights;

public sealed class WeightFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cnngen-weights-" + Guid.NewGuid().ToString("N"));

    public WeightFileTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static byte[] SaveToBytes(INetwork network)
    {
        using var stream = new MemoryStream();
        WeightFile.Save(network, stream);
        return stream.ToArray();
    }

    [Fact]
    public void A_saved_file_loads_back_bit_for_bit()
    {
        var trained = new LinearSoftmaxNetwork(features: 6, classes: 3, seed: 1);
        trained.Parameters[0] = float.NaN;
        trained.Parameters[1] = -0f;
        trained.Parameters[2] = float.Epsilon;
        trained.Parameters[3] = float.NegativeInfinity;
        string path = Path.Combine(_directory, "linear" + WeightFile.Extension);
        WeightFile.Save(trained, path);

        var fresh = new LinearSoftmaxNetwork(features: 6, classes: 3, seed: 2);
        Assert.NotEqual(Bits(trained), Bits(fresh));
        WeightFile.Load(fresh, path);

        Assert.Equal(Bits(trained), Bits(fresh));
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(_directory).Select(Path.GetFileName)); // no .tmp left behind
    }

    [Fact]
    public void Saving_over_an_existing_file_replaces_it()
    {
        string path = Path.Combine(_directory, "linear.cnnw");
        WeightFile.Save(new LinearSoftmaxNetwork(6, 3, seed: 1), path);
        var second = new LinearSoftmaxNetwork(6, 3, seed: 2);
        WeightFile.Save(second, path);

        var loaded = new LinearSoftmaxNetwork(6, 3, seed: 3);
        WeightFile.Load(loaded, path);

        Assert.Equal(Bits(second), Bits(loaded));
    }

    [Fact]
    public void A_stream_load_reads_one_file_and_stops_after_its_checksum()
    {
        var first = new LinearSoftmaxNetwork(6, 3, seed: 1);
        var second = new LinearSoftmaxNetwork(6, 3, seed: 2);
        using var stream = new MemoryStream();
        WeightFile.Save(first, stream);
        long firstLength = stream.Length;
        WeightFile.Save(second, stream);
        stream.Position = 0;

        var loaded = new LinearSoftmaxNetwork(6, 3, seed: 3);
        WeightFile.Load(loaded, stream);
        Assert.Equal(Bits(first), Bits(loaded));
        Assert.Equal(firstLength, stream.Position);

        WeightFile.Load(loaded, new NonSeekableStream(stream));
        Assert.Equal(Bits(second), Bits(loaded));
    }

    [Fact]
    public void Tensors_are_matched_by_name_not_by_position()
    {
        // The same tensors, bias first in one network and weight first in the other.
        var biasFirst = new TensorTableNetwork(("fc.bias", [3]), ("fc.weight", [3, 2]));
        var weightFirst = new TensorTableNetwork(("fc.weight", [3, 2]), ("fc.bias", [3]));

        WeightFile.Load(weightFirst, new MemoryStream(SaveToBytes(biasFirst)));

        Assert.Equal(biasFirst.Parameters[3..].ToArray(), weightFirst.Parameters[..6].ToArray());
        Assert.Equal(biasFirst.Parameters[..3].ToArray(), weightFirst.Parameters[6..].ToArray());
    }

    [Fact]
    public void The_layout_is_header_table_payload_and_a_crc32_of_everything_before_it()
    {
        var network = new LinearSoftmaxNetwork(features: 6, classes: 3, seed: 1);
        byte[] file = SaveToBytes(network);

        // Table: linear.weight = 4 + 13 + 4 + 2·4 + 4 = 33 bytes, linear.bias = 4 + 11 + 4 + 4 + 4 = 27; 60 padded to 64.
        // Header: version 2, 2 tensors, 21 parameters, no state, no counters, the table's length.
        Assert.Equal("CNNGENW1"u8.ToArray(), file[..8]);
        Assert.Equal([2, 2, 21, 0, 0, 64], Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8 + 4 * i))));
        Assert.Equal(32 + 64 + 4 * 21 + 4, file.Length);
        Assert.Equal(13, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(32)));
        Assert.Equal("linear.weight"u8.ToArray(), file[36..49]);
        Assert.Equal(network.Parameters[20], BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(32 + 64 + 4 * 20)));

        // GZipStream writes the same CRC-32 of its input into its trailer: an independent oracle.
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 4));
        Assert.Equal(GzipCrc32(file[..^4]), stored);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void The_checksum_is_zlibs_crc32_for_files_of_every_size(int parameterCount)
    {
        var network = new TensorTableNetwork(("x", [parameterCount]));
        byte[] file = SaveToBytes(network);

        Assert.Equal(GzipCrc32(file[..^4]), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 4)));
    }

    [Fact]
    public void Saving_a_network_with_an_inconsistent_table_throws_and_writes_nothing()
    {
        var network = new TensorTableNetwork(10, new ParameterTensor("a", 0, 6, [2, 3]), new ParameterTensor("b", 4, 6, [6]));
        string path = Path.Combine(_directory, "bad.cnnw");

        var exception = Assert.Throws<ArgumentException>(() => WeightFile.Save(network, path));

        Assert.StartsWith(
            "TensorTableNetwork.ParameterTensors is inconsistent: 'a' (floats 0 to 5) overlaps 'b' (from 4).",
            exception.Message);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    private static uint[] Bits(INetwork network) => network.Parameters.ToArray().Select(BitConverter.SingleToUInt32Bits).ToArray();
}
