using CnnGen.Runtime.Tests.Training;
using CnnGen.Runtime.Weights;
using static CnnGen.Runtime.Tests.Weights.SafeTensorsFiles;

namespace CnnGen.Runtime.Tests.Weights;

/// <summary>
/// Every way a safetensors load can fail: each throws <see cref="InvalidDataException"/> naming the source
/// and the exact problem (all mismatches at once), from a path and from a pipe alike, and leaves the
/// network's parameters exactly as they were.
/// </summary>
public sealed class SafeTensorsCorruptionTests : IDisposable
{
    private const string Bias = "\"linear.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cnngen-safetensors-" + Guid.NewGuid().ToString("N"));

    public SafeTensorsCorruptionTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// Loads <paramref name="file"/> into <paramref name="network"/> (by default a fresh 3→2 linear network)
    /// from a path and, unless told otherwise, from a non-seekable stream; checks that both fail with the same
    /// problem and change nothing, and returns the message after <c>Safetensors file '…'</c>.
    /// </summary>
    private string LoadFails(byte[] file, INetwork? network = null, SafeTensorsLoadOptions? options = null, bool alsoFromAPipe = true)
    {
        network ??= new LinearSoftmaxNetwork(features: 3, classes: 2, seed: 2);
        uint[] before = Bits(network);
        string path = Path.Combine(_directory, "model.safetensors");
        File.WriteAllBytes(path, file);

        var exception = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(network, path, options));

        Assert.Equal(before, Bits(network));
        string prefix = $"Safetensors file '{path}'";
        Assert.StartsWith(prefix, exception.Message);
        string problem = exception.Message[prefix.Length..];
        if (alsoFromAPipe)
        {
            var fromPipe = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(network, new NonSeekableStream(new MemoryStream(file)), options));
            Assert.Equal(before, Bits(network));
            Assert.Equal("Safetensors stream" + problem, fromPipe.Message);
        }

        return problem;
    }

    private static byte[] LinearFile(string weightEntry, params byte[][] data) => Build("{" + Bias + "," + weightEntry + "}", data);

    // ---- length and truncation ----------------------------------------------------------------------------

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void A_file_shorter_than_the_length_prefix_is_truncated(int length)
    {
        Assert.Equal(
            $" is truncated: expected 8 bytes (the 8-byte header length) but it has only {length}.",
            LoadFails(SafeTensorsTests.PyTorchLinearFile()[..length]));
    }

    [Fact]
    public void A_file_cut_inside_the_header_is_truncated()
    {
        Assert.Equal(
            " is truncated: expected 176 bytes (the 8-byte length and the 168-byte JSON header) but it has only 100.",
            LoadFails(SafeTensorsTests.PyTorchLinearFile()[..100]));
    }

    [Fact]
    public void A_file_cut_inside_the_data_is_truncated()
    {
        Assert.Equal(
            " is truncated: expected 208 bytes (8-byte length, 168-byte header, 32 bytes of tensor data up to the end of 'linear.weight') but it has only 200.",
            LoadFails(SafeTensorsTests.PyTorchLinearFile()[..200]));
    }

    [Fact]
    public void Offsets_beyond_the_end_of_the_file_are_reported_as_truncation_naming_the_last_tensor()
    {
        // The header says linear.weight ends at byte 32 of the data, but the file stops 12 bytes into it.
        byte[] file = LinearFile("\"linear.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}", F32(1.5f, -2f), F32(1f, 2f, 3f));
        long headerLength = file.Length - 8 - 20;

        Assert.Equal(
            $" is truncated: expected {8 + headerLength + 32} bytes (8-byte length, {headerLength}-byte header, 32 bytes of tensor data up to the end of 'linear.weight') but it has only {file.Length}.",
            LoadFails(file));
    }

    [Fact]
    public void Bytes_after_the_data_are_an_error_in_a_file_and_left_unread_in_a_stream()
    {
        byte[] file = [.. SafeTensorsTests.PyTorchLinearFile(), 0x2A];

        Assert.Equal(
            ": 1 bytes after the tensor data: the header's data_offsets cover 32 bytes, so the file should have 208 bytes (8-byte length, 168-byte header, 32 bytes of tensor data up to the end of 'linear.weight') but it has 209.",
            LoadFails(file, alsoFromAPipe: false));
        var stream = new MemoryStream(file);
        SafeTensors.Load(new LinearSoftmaxNetwork(3, 2, seed: 1), stream);
        Assert.Equal(208, stream.Position);
    }

    [Theory]
    [InlineData(100_000_001UL, "01E1F50500000000")]
    [InlineData(ulong.MaxValue, "FFFFFFFFFFFFFFFF")]
    public void A_header_length_beyond_the_limit_is_refused_before_reading_the_header(ulong headerLength, string hex)
    {
        Assert.Equal(
            $": the header length {headerLength} (the first 8 bytes, {hex}) exceeds the limit of 100000000 bytes; it is not a safetensors file, or it is corrupt.",
            LoadFails(WithLength(headerLength, "{}"u8.ToArray())));
    }

    [Fact]
    public void A_file_written_by_torch_save_is_recognised_as_a_zip_archive()
    {
        byte[] zip = [(byte)'P', (byte)'K', 3, 4, 0, 0, 8, 0, 0, 0, 0x21, 0, 0, 0];

        Assert.EndsWith(
            "the data starts like a zip archive, which is what torch.save writes (.pt, .pth, .bin): export with safetensors.torch.save_file(model.state_dict(), path).",
            LoadFails(zip));
    }

    [Fact]
    public void A_header_length_beyond_the_end_of_the_file_is_truncation()
    {
        Assert.Equal(
            " is truncated: expected 1008 bytes (the 8-byte length and the 1000-byte JSON header) but it has only 10.",
            LoadFails(WithLength(1000, "{}"u8.ToArray())));
    }

    // ---- the header ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData("", "the JSON header must start with '{' but is empty")]
    [InlineData("[]", "the JSON header must start with '{' but starts with byte 0x5B ('[')")]
    [InlineData(" {}", "the JSON header must start with '{' but starts with byte 0x20 (' ')")]
    public void The_header_must_be_a_JSON_object_from_its_first_byte(string json, string problem)
    {
        Assert.Equal($": malformed header: {problem}.", LoadFails(Build(json)));
    }

    [Fact]
    public void The_header_must_be_UTF8()
    {
        byte[] file = WithLength(8, [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']);

        Assert.Equal(": malformed header: the JSON header is not valid UTF-8 (first invalid byte at header offset 2).", LoadFails(file));
    }

    [Theory]
    [InlineData("{\"linear.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}")] // no closing brace
    [InlineData("{\"linear.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],}}")] // trailing comma
    [InlineData("{/* comment */}")]
    [InlineData("{'linear.bias':{}}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\" \"shape\":[2]}}")] // missing comma
    [InlineData("{} {}")]
    [InlineData("{}x")]
    [InlineData("{\"a\":{\"dtype\":\"F\\u00\"}}")] // bad escape
    [InlineData("{\"a\":{\"dtype\":\"\\ud800\",\"shape\":[],\"data_offsets\":[0,4]}}")] // lone surrogate
    public void Malformed_JSON_is_reported_with_its_position(string json)
    {
        string problem = LoadFails(Build(json));

        Assert.StartsWith(": malformed header: invalid JSON", problem);
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "the key 'a' occurs twice in the JSON header")]
    [InlineData("{\"__metadata__\":{\"format\":\"pt\",\"epochs\":10}}", "__metadata__ must map strings to strings, but 'epochs' is a number")]
    [InlineData("{\"__metadata__\":[\"pt\"]}", "__metadata__ must be an object of strings but is an array")]
    [InlineData("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", "the key 'k' occurs twice in __metadata__")]
    [InlineData("{\"a\":42}", "'a' must be an object with dtype, shape and data_offsets but is a number")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "'a' has no data_offsets")]
    [InlineData("{\"a\":{\"data_offsets\":[0,8]}}", "'a' has no dtype and no shape")]
    [InlineData("{\"a\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,8]}}", "the dtype of 'a' must be a string but is a number")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "the shape of 'a' must be non-negative integers, but one is -2")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", "the shape of 'a' must be non-negative integers, but one is 2.5")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", "the shape of 'a' must be non-negative integers, but one is a string")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", "the shape of 'a' must be an array of non-negative integers but is a number")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", "the data_offsets of 'a' must be [begin, end] but have 3 numbers")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"shape\":[2],\"data_offsets\":[0,8]}}", "'a' has 'shape' twice")]
    public void Header_entries_of_the_wrong_form_are_named(string json, string problem)
    {
        Assert.Equal($": malformed header: {problem}.", LoadFails(Build(json, new byte[8])));
    }

    // ---- offsets ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
        "'a' (data_offsets [0, 8]) overlaps 'b' (data_offsets [4, 12])")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
        "'a' (data_offsets [0, 8]) overlaps 'b' (data_offsets [0, 8])")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20,
        "bytes 8 to 11 of the data section belong to no tensor (between 'a' and 'b'); the offsets must cover the data without gaps")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
        "bytes 0 to 3 of the data section belong to no tensor (before 'a'); the offsets must cover the data without gaps")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8,
        "'a' has data_offsets [8, 0]: the end is before the beginning")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", 12,
        "'a' has data_offsets [0, 12] = 12 bytes, but shape (2,) of dtype F32 needs 8")]
    [InlineData("{\"a\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16,
        "'a' has data_offsets [0, 16] = 16 bytes, but shape (2, 2) of dtype BF16 needs 8")]
    [InlineData("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2,
        "'a' of dtype F4 and shape (3,) does not fill a whole number of bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,9223372036854775807]}}", 8,
        "'a' has data_offsets [0, 9223372036854775807], beyond any possible file")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8,
        "'a' has a shape (4294967296, 4294967296) whose element count overflows")]
    public void Offsets_must_match_the_shapes_and_cover_the_data_exactly_once(string json, int dataLength, string problem)
    {
        Assert.Equal($": malformed header: {problem}.", LoadFails(Build(json, new byte[dataLength])));
    }

    // ---- the file against the network ---------------------------------------------------------------------

    [Fact]
    public void A_dtype_that_cannot_be_loaded_names_the_tensor_and_the_dtype()
    {
        byte[] file = LinearFile("\"linear.weight\":{\"dtype\":\"I64\",\"shape\":[2,3],\"data_offsets\":[8,56]}", F32(1.5f, -2f), I64(1, 2, 3, 4, 5, 6));

        Assert.Equal(
            " does not fit LinearSoftmaxNetwork: 1 mismatch (tensor: expected shape in the network, actual shape in the file):\n" +
            "  linear.weight: dtype I64 cannot be loaded (only F32, F16, BF16 and F64 convert to float32)",
            LoadFails(file));
    }

    [Fact]
    public void A_missing_tensor_is_named_with_its_expected_shape()
    {
        byte[] file = Build("{\"linear.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", F32(1, 2, 3, 4, 5, 6));

        Assert.Equal(
            " does not fit LinearSoftmaxNetwork: 1 mismatch (tensor: expected shape in the network, actual shape in the file):\n" +
            "  linear.bias: expected (2,), missing from the file",
            LoadFails(file));
    }

    [Fact]
    public void An_extra_tensor_is_an_error_by_default()
    {
        byte[] file = Build(
            "{" + Bias + ",\"linear.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]},\"head.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[32,36]}}",
            F32(1.5f, -2f), F32(1, 2, 3, 4, 5, 6), F32(7));

        Assert.Equal(
            " does not fit LinearSoftmaxNetwork: 1 mismatch (tensor: expected shape in the network, actual shape in the file):\n" +
            "  head.weight: not in the network, file has (1,) F32\n" +
            "Tensors not in the network can be skipped with SafeTensorsLoadOptions.IgnoreExtraTensors, or mapped with SafeTensorsLoadOptions.TensorNames.",
            LoadFails(file));
    }

    [Fact]
    public void Every_mismatch_is_listed_in_one_message()
    {
        var network = new TensorTableNetwork(
            ("conv1.weight", [32, 1, 5, 5]), ("conv1.bias", [32]),
            ("conv2.weight", [64, 32, 5, 5]), ("conv2.bias", [64]),
            ("fc.weight", [10, 64]), ("fc.bias", [10]));
        byte[] file = Build(
            "{\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[32,3,5,5],\"data_offsets\":[0,9600]}," +
            "\"conv1.bias\":{\"dtype\":\"F32\",\"shape\":[32],\"data_offsets\":[9600,9728]}," +
            "\"conv2.weight\":{\"dtype\":\"F32\",\"shape\":[64,32,3,3],\"data_offsets\":[9728,83456]}," +
            "\"fc.weight\":{\"dtype\":\"U8\",\"shape\":[64,10],\"data_offsets\":[83456,84096]}," +
            "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[84096,84136]}," +
            "\"classifier.weight\":{\"dtype\":\"F32\",\"shape\":[10,64],\"data_offsets\":[84136,86696]}}",
            new byte[86696]);

        Assert.Equal(
            " does not fit TensorTableNetwork: 6 mismatches (tensor: expected shape in the network, actual shape in the file):\n" +
            "  conv1.weight: expected (32, 1, 5, 5), file has (32, 3, 5, 5)\n" +
            "  conv2.weight: expected (64, 32, 5, 5), file has (64, 32, 3, 3)\n" +
            "  conv2.bias: expected (64,), missing from the file\n" +
            "  fc.weight: expected (10, 64), file has (64, 10)\n" +
            "  fc.weight: dtype U8 cannot be loaded (only F32, F16, BF16 and F64 convert to float32)\n" +
            "  classifier.weight: not in the network, file has (10, 64) F32\n" +
            "Tensors not in the network can be skipped with SafeTensorsLoadOptions.IgnoreExtraTensors, or mapped with SafeTensorsLoadOptions.TensorNames.",
            LoadFails(file, network));
    }

    [Fact]
    public void Mismatches_of_mapped_tensors_name_both_names()
    {
        byte[] file = Build(
            "{\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"0.weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[8,32]}}",
            F32(1.5f, -2f), F32(1, 2, 3, 4, 5, 6));
        var options = new SafeTensorsLoadOptions
        {
            TensorNames = SafeTensorsNameMap.ByPosition(new LinearSoftmaxNetwork(3, 2, seed: 1), ["0.weight", "0.bias"]),
        };

        Assert.Equal(
            " does not fit LinearSoftmaxNetwork: 1 mismatch (tensor: expected shape in the network, actual shape in the file):\n" +
            "  linear.weight (file: '0.weight'): expected (2, 3), file has (3, 2)",
            LoadFails(file, options: options));
    }

    [Fact]
    public void Ignoring_extra_tensors_still_reports_missing_and_misshapen_ones()
    {
        byte[] file = Build(
            "{\"linear.weight\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]},\"other\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}}",
            F32(1, 2, 3, 4, 5, 6), F32(7, 8));

        Assert.Equal(
            " does not fit LinearSoftmaxNetwork: 2 mismatches (tensor: expected shape in the network, actual shape in the file):\n" +
            "  linear.weight: expected (2, 3), file has (6,)\n" +
            "  linear.bias: expected (2,), missing from the file",
            LoadFails(file, options: new SafeTensorsLoadOptions { IgnoreExtraTensors = true }));
    }

    // ---- values -------------------------------------------------------------------------------------------

    [Fact]
    public void NaN_and_infinite_values_are_an_error_by_default_listing_tensors_and_counts()
    {
        byte[] file = LinearFile(
            "\"linear.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}",
            F32(float.NegativeInfinity, 1f),
            F32(float.NaN, 1f, float.PositiveInfinity, float.NaN, 2f, 3f));

        Assert.Equal(
            " has non-finite values in 2 tensors (set SafeTensorsLoadOptions.AllowNonFiniteValues to load them anyway):\n" +
            "  linear.bias: 1 -Inf among 2 values\n" +
            "  linear.weight: 2 NaN, 1 +Inf among 6 values",
            LoadFails(file));
    }

    [Fact]
    public void An_F64_value_beyond_float_range_counts_as_infinite()
    {
        byte[] file = Build("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", F64(1e39, -1.0));

        Assert.Equal(
            " has non-finite values in 1 tensor (set SafeTensorsLoadOptions.AllowNonFiniteValues to load them anyway):\n" +
            "  x: 1 +Inf among 2 values",
            LoadFails(file, new TensorTableNetwork(("x", [2]))));
    }

    [Fact]
    public void NaN_and_infinity_in_F16_and_BF16_tensors_are_found_after_conversion()
    {
        // BF16 bias (1.5, NaN = 0x7FC1); F16 weight (NaN = 0x7E00, +Inf = 0x7C00, -Inf = 0xFC00, 1, 1, 1).
        byte[] file = Build(
            "{\"linear.bias\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},\"linear.weight\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[4,16]}}",
            Bits16(0x3FC0, 0x7FC1),
            Bits16(0x7E00, 0x7C00, 0xFC00, 0x3C00, 0x3C00, 0x3C00));

        Assert.Equal(
            " has non-finite values in 2 tensors (set SafeTensorsLoadOptions.AllowNonFiniteValues to load them anyway):\n" +
            "  linear.bias: 1 NaN among 2 values\n" +
            "  linear.weight: 1 NaN, 1 +Inf, 1 -Inf among 6 values",
            LoadFails(file));
    }

    // ---- options ------------------------------------------------------------------------------------------

    [Fact]
    public void A_map_naming_tensors_the_network_does_not_have_is_an_argument_error_and_changes_nothing()
    {
        var network = new LinearSoftmaxNetwork(3, 2, seed: 1);
        uint[] before = Bits(network);
        string path = Path.Combine(_directory, "model.safetensors");
        File.WriteAllBytes(path, SafeTensorsTests.PyTorchLinearFile());

        var unknown = Assert.Throws<ArgumentException>(() => SafeTensors.Load(network, path, new SafeTensorsLoadOptions
        {
            TensorNames = new Dictionary<string, string> { ["fc.weight"] = "0.weight", ["fc.bias"] = "0.bias" },
        }));
        var clash = Assert.Throws<ArgumentException>(() => SafeTensors.Load(network, path, new SafeTensorsLoadOptions
        {
            TensorNames = new Dictionary<string, string> { ["linear.weight"] = "linear.bias" },
        }));

        Assert.StartsWith("The name map has keys that are not tensors of LinearSoftmaxNetwork: 'fc.bias', 'fc.weight' (its tensors: linear.weight, linear.bias).", unknown.Message);
        Assert.StartsWith("'linear.weight' and 'linear.bias' would both be 'linear.bias' in the file.", clash.Message);
        Assert.Equal(before, Bits(network));
    }
}
