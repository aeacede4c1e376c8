using System.Buffers.Binary;
using CnnGen.Runtime.Tests.Training;
using CnnGen.Runtime.Weights;
using Xunit.Abstractions;

namespace CnnGen.Runtime.Tests.Weights;

/// <summary>
/// Every single-byte inversion of a small weight file is refused or loads the same parameters (only the
/// safetensors data bytes, which the format does not checksum, may load different finite values), and a
/// header declaring a huge size costs no more memory than the file holds.
/// </summary>
public sealed class WeightReadersExhaustiveTests(ITestOutputHelper output)
{
    private static LinearSoftmaxNetwork Network(int seed) => new(features: 6, classes: 3, seed);

    // (refused, identical, different) over every inversion of `file`, loaded by `load` into a fresh network.
    private static (int Refused, int Identical, int Different) InvertEvery(byte[] file, Action<INetwork, Stream> load)
    {
        float[] expected = Network(1).Parameters.ToArray();
        int refused = 0, identical = 0, different = 0;
        for (int index = 0; index < file.Length; index++)
        {
            byte[] copy = (byte[])file.Clone();
            copy[index] ^= 0xFF;
            LinearSoftmaxNetwork network = Network(2);
            try
            {
                load(network, new MemoryStream(copy));
                if (network.Parameters.SequenceEqual(expected))
                {
                    identical++;
                }
                else
                {
                    different++;
                }
            }
            catch (InvalidDataException)
            {
                refused++;
            }
        }

        return (refused, identical, different);
    }

    [Fact]
    public void Every_byte_inversion_of_a_weight_file_is_refused()
    {
        byte[] file = WeightFileTests.SaveToBytes(Network(1));

        var (refused, identical, different) = InvertEvery(file, (network, stream) => WeightFile.Load(network, stream));

        output.WriteLine($"{file.Length} inversions: {refused} refused, {identical} identical, {different} different");
        Assert.Equal((file.Length, 0, 0), (refused, identical, different));
    }

    [Fact]
    public void Every_byte_inversion_of_a_safetensors_file_is_refused_or_changes_one_data_value()
    {
        using var saved = new MemoryStream();
        SafeTensors.Save(Network(1), saved);
        byte[] file = saved.ToArray();
        int dataBytes = 4 * Network(1).ParameterCount;

        var (refused, identical, different) = InvertEvery(file, (network, stream) => SafeTensors.Load(network, stream));

        output.WriteLine($"{file.Length} inversions: {refused} refused, {identical} identical, {different} different ({dataBytes} data bytes)");
        Assert.Equal(file.Length, refused + identical + different);
        Assert.True(different <= dataBytes, $"{different} inversions loaded different parameters; only the {dataBytes} data bytes may");
    }

    [Fact]
    public void A_weight_file_header_declaring_a_huge_payload_allocates_no_more_than_the_stream_holds()
    {
        byte[] file = WeightFileTests.SaveToBytes(Network(1))[..40];
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(16), 500_000_000); // 2 GB of parameters
        Assert.Throws<InvalidDataException>(() => WeightFile.Load(Network(2), new NonSeekableStream(new MemoryStream(file)))); // warm-up

        long before = GC.GetAllocatedBytesForCurrentThread();
        var exception = Assert.Throws<InvalidDataException>(() => WeightFile.Load(Network(2), new NonSeekableStream(new MemoryStream(file))));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("is truncated", exception.Message);
        Assert.True(allocated < 4 << 20, $"{allocated} bytes allocated to refuse a 40-byte stream");
    }

    [Fact]
    public void A_safetensors_header_length_beyond_the_stream_allocates_no_more_than_the_stream_holds()
    {
        byte[] file = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(file, 90_000_000); // under the 100 MB limit
        Assert.Throws<InvalidDataException>(() => SafeTensors.ReadHeader(new NonSeekableStream(new MemoryStream(file)))); // warm-up

        long before = GC.GetAllocatedBytesForCurrentThread();
        var exception = Assert.Throws<InvalidDataException>(() => SafeTensors.ReadHeader(new NonSeekableStream(new MemoryStream(file))));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("is truncated", exception.Message);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated to refuse a 16-byte stream");
    }
}
