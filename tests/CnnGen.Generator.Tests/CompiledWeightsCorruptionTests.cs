using System.Text;
using CnnGen.Generator.Tests.Infrastructure;
using CnnGen.Generator.Weights;
using Xunit.Abstractions;

namespace CnnGen.Generator.Tests;

/// <summary>
/// The build-time safetensors reader either reads a file's tensors exactly or gives the reason it cannot
/// (which becomes CNN0017); it never throws, which would fail the generator instead.
/// </summary>
public sealed class CompiledWeightsCorruptionTests(ITestOutputHelper output)
{
    private static byte[] Raw(string json, int dataBytes) =>
        [.. BitConverter.GetBytes((long)Encoding.UTF8.GetByteCount(json)), .. Encoding.UTF8.GetBytes(json), .. new byte[dataBytes]];

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, "tensor b (bytes 0 to 8) overlaps tensor a, which ends at 8")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "the 4 bytes between the start of the data (byte 0) and tensor a (byte 4) belong to no tensor")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 12, "the data section has 12 bytes but its tensors cover 4: 8 bytes after tensor a belong to no tensor")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[4,0]}}""", 4, "tensor a: shape size 0 is -1, not a whole number from 0 to 2147483647")]
    [InlineData("""{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}""", 8, "tensor a: shape size 0 is '2', not a whole number")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0.5,8]}}""", 8, "tensor a: a data offset is 0.5, not a whole number")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}""", 0, "shape size 0 is 4294967296, not a whole number from 0 to 2147483647")]
    public void Inconsistent_headers_are_reasons_not_exceptions(string json, int dataBytes, string reason)
    {
        CompiledWeightsFile file = SafeTensorsParser.Parse("w.safetensors", Raw(json, dataBytes));

        Assert.Contains(reason, file.Error);
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void A_header_that_is_not_UTF8_is_a_reason()
    {
        byte[] bytes = Raw("""{"a\u00e9":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4);
        bytes[8 + 3] = 0xFF; // the first byte of 'é'

        Assert.Contains("not valid UTF-8", SafeTensorsParser.Parse("w.safetensors", bytes).Error);
    }

    [Fact]
    public void Every_single_byte_inversion_reads_the_same_tensors_or_gives_a_reason()
    {
        byte[] original = WeightsFiles.Build(
            new TensorToWrite("edges.weight", [2, 1, 2, 2], [1f, -2f, 3f, -4f, 0.5f, 0f, 7f, 8f]),
            new TensorToWrite("edges.bias", [2], [0.25f, -1f]));
        CompiledWeightsFile expected = SafeTensorsParser.Parse("w.safetensors", original);
        Assert.Null(expected.Error);
        int rejected = 0, identical = 0, wrong = 0;
        for (int index = 0; index < original.Length; index++)
        {
            byte[] copy = (byte[])original.Clone();
            copy[index] ^= 0xFF;
            CompiledWeightsFile file = SafeTensorsParser.Parse("w.safetensors", copy);
            if (file.Error is not null)
            {
                rejected++;
            }
            else if (file.Tensors.Equals(expected.Tensors))
            {
                identical++;
            }
            else
            {
                wrong++;
            }
        }

        // The format has no checksum: an inverted data byte is a different, finite weight (or a NaN,
        // which is refused), and the reader cannot know. Everything else must be refused or harmless.
        int dataBytes = 10 * sizeof(float);
        output.WriteLine($"{original.Length} inversions: {rejected} rejected, {identical} identical, {wrong} different ({dataBytes} are data bytes)");
        Assert.True(wrong <= dataBytes, $"{wrong} inversions read different tensors, more than the {dataBytes} data bytes");
        Assert.Equal(original.Length, rejected + identical + wrong);
    }
}
