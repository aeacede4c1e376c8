using System.Buffers.Binary;
using System.Text;
using CnnGen.Runtime.Weights;
using static CnnGen.Tests.Weights.WeightFileOracles;

namespace CnnGen.Runtime.Tests.Weights;

/// <summary>
/// Format version 2 carries a network's non-trainable state — running statistics (F32) and
/// <c>num_batches_tracked</c> counters (int64) — beside the parameters; version-1 files (parameters only) still
/// load, resetting the state. Every mismatch of state is an exception, and a failed load changes nothing.
/// </summary>
public sealed class WeightFileStateTests
{
    // Two BatchNorm-like layers of 3 channels: 12 parameters, 12 floats of state, 2 counters.
    private static TensorTableNetwork Trained()
    {
        TensorTableNetwork network = TensorTableNetwork.WithBatchNorm(3, "bn1", "bn2");
        new RandomSource(5).FillUniform(network.State, 0.5f, 2f);
        network.BatchesTracked[0] = 17;
        network.BatchesTracked[1] = long.MaxValue - 1; // all 64 bits survive
        return network;
    }

    [Fact]
    public void State_and_counters_load_back_bit_for_bit_into_a_fresh_network()
    {
        TensorTableNetwork trained = Trained();
        var fresh = TensorTableNetwork.WithBatchNorm(3, "bn1", "bn2");
        fresh.ResetParameters(seed: 9);
        Assert.NotEqual(trained.State.ToArray(), fresh.State.ToArray());

        WeightFile.Load(fresh, new MemoryStream(WeightFileTests.SaveToBytes(trained)));

        Assert.Equal(trained.Parameters.ToArray(), fresh.Parameters.ToArray());
        Assert.Equal(trained.State.ToArray(), fresh.State.ToArray());
        Assert.Equal([17L, long.MaxValue - 1], fresh.BatchesTracked.ToArray());
    }

    [Fact]
    public void The_layout_puts_counters_after_the_table_then_parameters_then_state()
    {
        TensorTableNetwork network = Trained();
        byte[] file = WeightFileTests.SaveToBytes(network);

        // Table: 4 parameter + 4 state entries (name length, name, rank 1, size, offset), then 2 counter entries (name length, name).
        string[] floatNames = ["bn1.weight", "bn1.bias", "bn2.weight", "bn2.bias", "bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"];
        string[] counterNames = ["bn1.num_batches_tracked", "bn2.num_batches_tracked"];
        int table = floatNames.Sum(name => 4 + name.Length + 4 + 4 + 4) + counterNames.Sum(name => 4 + name.Length);
        table = (table + 7) & ~7;
        Assert.Equal([2, 8, 12, 12, 2, table], Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8 + (4 * i)))));
        int counters = 32 + table, floats = counters + 16;
        Assert.Equal(floats + (4 * 24) + 4, file.Length);
        Assert.Contains("bn2.num_batches_tracked", Encoding.UTF8.GetString(file, 32, table));
        Assert.Equal(17, BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(counters)));
        Assert.Equal(long.MaxValue - 1, BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(counters + 8)));
        Assert.Equal(network.Parameters[11], BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(floats + (4 * 11))));
        Assert.Equal(network.State[0], BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(floats + (4 * 12))));
        Assert.Equal(network.State[11], BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(floats + (4 * 23))));
        Assert.Equal(GzipCrc32(file[..^4]), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 4)));
    }

    [Fact]
    public void A_version_1_file_loads_the_parameters_and_resets_the_state_as_a_new_network_holds_it()
    {
        TensorTableNetwork saved = Trained();
        TensorTableNetwork target = Trained(); // state and counters far from the initial ones
        target.ResetParameters(seed: 4);

        WeightFile.Load(target, new MemoryStream(Version1File(saved)));

        Assert.Equal(saved.Parameters.ToArray(), target.Parameters.ToArray());
        Assert.Equal([0f, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1], target.State.ToArray());
        Assert.Equal([0L, 0L], target.BatchesTracked.ToArray());
    }

    [Fact]
    public void A_version_1_file_of_a_network_without_state_still_loads()
    {
        var saved = new Training.LinearSoftmaxNetwork(features: 6, classes: 3, seed: 1);
        var target = new Training.LinearSoftmaxNetwork(features: 6, classes: 3, seed: 2);

        WeightFile.Load(target, new MemoryStream(Version1File(saved)));

        Assert.Equal(saved.Parameters.ToArray(), target.Parameters.ToArray());
    }

    [Fact]
    public void Missing_or_misshapen_state_and_counters_are_listed_and_load_nothing()
    {
        TensorTableNetwork saved = TensorTableNetwork.WithBatchNorm(3, "bn1", "bn3");
        TensorTableNetwork target = TensorTableNetwork.WithBatchNorm(4, "bn1", "bn2");
        target.ResetParameters(seed: 2);
        target.BatchesTracked[0] = 5;
        float[] parameters = target.Parameters.ToArray(), state = target.State.ToArray();

        var error = Assert.Throws<InvalidDataException>(() => WeightFile.Load(target, new MemoryStream(WeightFileTests.SaveToBytes(saved))));

        Assert.Equal(
            "Weight stream does not fit TensorTableNetwork: 14 mismatches (tensor: expected shape in the network, actual shape in the file):\n"
            + "  bn1.weight: expected (4,), file has (3,)\n"
            + "  bn1.bias: expected (4,), file has (3,)\n"
            + "  bn2.weight: expected (4,), missing from the file\n"
            + "  bn2.bias: expected (4,), missing from the file\n"
            + "  bn1.running_mean: expected (4,), file has (3,)\n"
            + "  bn1.running_var: expected (4,), file has (3,)\n"
            + "  bn2.running_mean: expected (4,), missing from the file\n"
            + "  bn2.running_var: expected (4,), missing from the file\n"
            + "  bn3.weight: not in the network, file has (3,)\n"
            + "  bn3.bias: not in the network, file has (3,)\n"
            + "  bn3.running_mean: not in the network, file has (3,)\n"
            + "  bn3.running_var: not in the network, file has (3,)\n"
            + "  bn2.num_batches_tracked: expected an int64 counter, missing from the file\n"
            + "  bn3.num_batches_tracked: not in the network, file has an int64 counter",
            error.Message);
        Assert.Equal(parameters, target.Parameters.ToArray());
        Assert.Equal(state, target.State.ToArray());
        Assert.Equal(5, target.BatchesTracked[0]);
    }

    [Fact]
    public void A_file_without_the_state_of_a_network_that_has_state_is_refused()
    {
        // Version 2 written from a network without the BatchNorm's state: its parameters alone do not make the network.
        var parametersOnly = new TensorTableNetwork(("bn1.weight", [3]), ("bn1.bias", [3]));
        TensorTableNetwork target = TensorTableNetwork.WithBatchNorm(3, "bn1");

        var error = Assert.Throws<InvalidDataException>(() => WeightFile.Load(target, new MemoryStream(WeightFileTests.SaveToBytes(parametersOnly))));

        Assert.EndsWith(
            "3 mismatches (tensor: expected shape in the network, actual shape in the file):\n"
            + "  bn1.running_mean: expected (3,), missing from the file\n"
            + "  bn1.running_var: expected (3,), missing from the file\n"
            + "  bn1.num_batches_tracked: expected an int64 counter, missing from the file",
            error.Message);
    }

    [Theory]
    [InlineData(-1)] // the last byte of the state
    [InlineData(-4)] // inside the last state float
    [InlineData(-60)] // inside the parameters
    public void A_truncated_file_with_state_says_what_its_layout_needs(int cut)
    {
        byte[] file = WeightFileTests.SaveToBytes(Trained());
        byte[] truncated = file[..(file.Length + cut)];

        var error = Assert.Throws<InvalidDataException>(() => WeightFile.Load(TensorTableNetwork.WithBatchNorm(3, "bn1", "bn2"), new MemoryStream(truncated)));

        Assert.Equal(
            $"Weight stream is truncated: expected {file.Length} bytes (32-byte header, {file.Length - 32 - 16 - 96 - 4}-byte tensor table, 2 int64 counters, 12 float32 parameters and 12 of state, 4-byte CRC-32) but it has only {truncated.Length}.",
            error.Message);
    }

    [Fact]
    public void A_flipped_bit_in_a_counter_is_a_checksum_mismatch()
    {
        byte[] file = WeightFileTests.SaveToBytes(Trained());
        int counters = file.Length - 4 - 96 - 16;
        file[counters + 1] ^= 0x01; // 17 + 256: a plausible count, so only the CRC can tell

        var error = Assert.Throws<InvalidDataException>(() => WeightFile.Load(TensorTableNetwork.WithBatchNorm(3, "bn1", "bn2"), new MemoryStream(file)));

        Assert.Contains(": checksum mismatch: the file stores CRC-32 0x", error.Message);
    }

    [Fact]
    public void Every_byte_inversion_of_a_file_with_state_is_refused()
    {
        byte[] file = WeightFileTests.SaveToBytes(Trained());
        int refused = 0;
        for (int index = 0; index < file.Length; index++)
        {
            byte[] copy = (byte[])file.Clone();
            copy[index] ^= 0xFF;
            TensorTableNetwork network = TensorTableNetwork.WithBatchNorm(3, "bn1", "bn2");
            float[] state = network.State.ToArray();
            try
            {
                WeightFile.Load(network, new MemoryStream(copy));
            }
            catch (InvalidDataException)
            {
                Assert.Equal(state, network.State.ToArray());
                Assert.Equal([0L, 0L], network.BatchesTracked.ToArray());
                refused++;
            }
        }

        Assert.Equal(file.Length, refused);
    }

    [Fact]
    public void A_counter_entry_that_repeats_a_tensor_name_is_a_malformed_table()
    {
        // A forged file whose CRC is right: the counter named like a float tensor.
        byte[] file = WeightFileTests.SaveToBytes(TensorTableNetwork.WithBatchNorm(3, "b"));
        byte[] counterName = "b.num_batches_tracked"u8.ToArray();
        int at = file.AsSpan().IndexOf(counterName);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(at - 4), "b.running_mean".Length);
        "b.running_mean"u8.CopyTo(file.AsSpan(at));
        file.AsSpan(at + "b.running_mean".Length, counterName.Length - "b.running_mean".Length).Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), GzipCrc32(file[..^4]));

        var error = Assert.Throws<InvalidDataException>(() => WeightFile.Load(TensorTableNetwork.WithBatchNorm(3, "b"), new MemoryStream(file)));

        Assert.Equal("Weight stream: malformed tensor table: the name 'b.running_mean' occurs twice.", error.Message);
    }
}
