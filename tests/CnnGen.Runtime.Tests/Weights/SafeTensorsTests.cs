using CnnGen.Runtime.Tests.Training;
using CnnGen.Runtime.Weights;
using static CnnGen.Runtime.Tests.Weights.SafeTensorsFiles;

namespace CnnGen.Runtime.Tests.Weights;

/// <summary>Files that load: PyTorch's layout byte for byte, the reference implementation's test vectors, round trips, dtypes, names.</summary>
public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cnngen-safetensors-" + Guid.NewGuid().ToString("N"));

    public SafeTensorsTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The parameters of <see cref="PyTorchLinearFile"/> in <see cref="INetwork.Parameters"/> order: weight (2, 3), then bias.</summary>
    internal static readonly float[] PyTorchLinearParameters = [0.5f, -1f, 2f, 0.25f, 3f, -0.125f, 1.5f, -2f];

    /// <summary>
    /// What <c>safetensors.torch.save_file({"linear.weight": w, "linear.bias": b}, path, metadata={"format": "pt"})</c>
    /// writes for <c>w = [[0.5, -1, 2], [0.25, 3, -0.125]]</c>, <c>b = [1.5, -2]</c>: compact JSON with
    /// <c>__metadata__</c> first and the names sorted (bias before weight), padded with spaces to 168 bytes,
    /// then the data in the same order.
    /// </summary>
    internal static byte[] PyTorchLinearFile() =>
    [
        0xA8, 0, 0, 0, 0, 0, 0, 0, // N = 168, little-endian u64
        .. "{\"__metadata__\":{\"format\":\"pt\"},\"linear.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"linear.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}}     "u8,
        0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0, // linear.bias: 1.5, -2
        0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x80, 0xBF, 0x00, 0x00, 0x00, 0x40, // linear.weight row 0: 0.5, -1, 2
        0x00, 0x00, 0x80, 0x3E, 0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x00, 0xBE, // linear.weight row 1: 0.25, 3, -0.125
    ];

    private string WriteFile(byte[] bytes, string name = "model.safetensors")
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void A_file_as_PyTorch_writes_it_loads_by_state_dict_name()
    {
        var network = new LinearSoftmaxNetwork(features: 3, classes: 2, seed: 1);

        SafeTensors.Load(network, WriteFile(PyTorchLinearFile()));

        Assert.Equal(Bits(PyTorchLinearParameters), Bits(network));
    }

    [Fact]
    public void Saving_writes_exactly_the_bytes_PyTorch_writes()
    {
        var network = new LinearSoftmaxNetwork(features: 3, classes: 2, seed: 1);
        PyTorchLinearParameters.CopyTo(network.Parameters);

        Assert.Equal(PyTorchLinearFile(), SaveToBytes(network));
    }

    [Fact]
    public void The_header_of_a_PyTorch_file_lists_its_tensors_and_metadata()
    {
        SafeTensorsHeader header = SafeTensors.ReadHeader(WriteFile(PyTorchLinearFile()));

        Assert.Equal(168, header.HeaderLength);
        Assert.Equal(32, header.DataLength);
        Assert.Equal(208, header.FileLength);
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" }, header.Metadata);
        Assert.Equal(["linear.bias", "linear.weight"], header.TensorNames);
        SafeTensorsTensorInfo weight = header.Tensors[1];
        Assert.Equal(("F32", 8L, 32L, 6L, "(2, 3)"), (weight.DType, weight.DataBegin, weight.DataEnd, weight.ElementCount, weight.FormatShape()));
        Assert.Equal("(2,)", header.Tensors[0].FormatShape());
    }

    // The expected outputs of the reference implementation's own serialization tests (safetensors, Rust).
    [Fact]
    public void The_reference_implementations_test_vectors_load_and_are_reproduced()
    {
        byte[] forcedAlignment =
        [
            72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
            121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
            91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
            115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
            32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
            160, 64,
        ];
        byte[] unpadded =
        [
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ];
        var noMetadata = new Dictionary<string, string>();

        var attn0 = new TensorTableNetwork(("attn0", [1, 1, 2, 3]));
        SafeTensors.Load(attn0, new MemoryStream(forcedAlignment));
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], attn0.Parameters.ToArray());
        Assert.Equal(forcedAlignment, SaveToBytes(attn0, noMetadata));

        var attnDot0 = new TensorTableNetwork(("attn.0", [1, 2, 3]));
        SafeTensors.Load(attnDot0, new MemoryStream(unpadded));
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], attnDot0.Parameters.ToArray());
        Assert.Equal(unpadded, SaveToBytes(attnDot0, noMetadata));
    }

    [Fact]
    public void The_reference_implementations_empty_files_are_reproduced()
    {
        var empty = new TensorTableNetwork();
        byte[] withMetadata =
        [
            40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
            95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
            116, 34, 125, 125, 32, 32, 32, 32, 32,
        ];

        Assert.Equal([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32], SaveToBytes(empty, new Dictionary<string, string>()));
        Assert.Equal(withMetadata, SaveToBytes(empty, new Dictionary<string, string> { ["framework"] = "pt" }));
        SafeTensors.Load(empty, new MemoryStream(withMetadata));
        Assert.Equal("pt", SafeTensors.ReadHeader(new MemoryStream(withMetadata)).Metadata["framework"]);
    }

    [Fact]
    public void A_saved_file_loads_back_bit_for_bit()
    {
        var trained = new LinearSoftmaxNetwork(features: 6, classes: 3, seed: 1);
        trained.Parameters[0] = -0f;
        trained.Parameters[1] = float.Epsilon;
        trained.Parameters[2] = float.MaxValue;
        trained.Parameters[3] = float.NaN;
        trained.Parameters[4] = float.NegativeInfinity;
        string path = Path.Combine(_directory, "linear" + SafeTensors.Extension);
        SafeTensors.Save(trained, path);

        var fresh = new LinearSoftmaxNetwork(features: 6, classes: 3, seed: 2);
        Assert.NotEqual(Bits(trained), Bits(fresh));
        SafeTensors.Load(fresh, path, new SafeTensorsLoadOptions { AllowNonFiniteValues = true });

        Assert.Equal(Bits(trained), Bits(fresh));
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(_directory).Select(Path.GetFileName)); // no .tmp left behind
    }

    [Fact]
    public void A_stream_load_reads_one_file_and_stops_after_its_data_even_if_the_stream_cannot_seek()
    {
        var first = new LinearSoftmaxNetwork(6, 3, seed: 1);
        var second = new LinearSoftmaxNetwork(6, 3, seed: 2);
        using var stream = new MemoryStream();
        SafeTensors.Save(first, stream);
        long firstLength = stream.Length;
        SafeTensors.Save(second, stream);
        stream.Position = 0;

        var loaded = new LinearSoftmaxNetwork(6, 3, seed: 3);
        SafeTensors.Load(loaded, stream);
        Assert.Equal(Bits(first), Bits(loaded));
        Assert.Equal(firstLength, stream.Position);

        SafeTensors.Load(loaded, new NonSeekableStream(stream));
        Assert.Equal(Bits(second), Bits(loaded));
    }

    [Fact]
    public void Saving_with_default_metadata_says_format_pt_and_an_empty_map_writes_none()
    {
        var network = new LinearSoftmaxNetwork(3, 2, seed: 1);

        Assert.Equal("pt", SafeTensors.ReadHeader(new MemoryStream(SaveToBytes(network))).Metadata["format"]);
        Assert.Empty(SafeTensors.ReadHeader(new MemoryStream(SaveToBytes(network, new Dictionary<string, string>()))).Metadata);
    }

    [Fact]
    public void Metadata_is_escaped_as_serde_json_escapes_it_and_reads_back()
    {
        var metadata = new Dictionary<string, string>
        {
            ["b"] = "quote \" backslash \\ newline \n tab \t bell \u0007 é 🙂",
            ["a"] = "first",
        };
        var network = new TensorTableNetwork();
        byte[] file = SaveToBytes(network, metadata);

        // Keys sorted; only '"', '\' and control characters escaped (short forms where JSON has them), UTF-8 kept raw.
        string json = System.Text.Encoding.UTF8.GetString(file, 8, file.Length - 8).TrimEnd(' ');
        Assert.Equal(
            "{\"__metadata__\":{\"a\":\"first\",\"b\":\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007 é 🙂\"}}",
            json);
        Assert.Equal(0, (file.Length - 8) % 8);
        Assert.Equal(metadata, SafeTensors.ReadHeader(new MemoryStream(file)).Metadata);
    }

    [Fact]
    public void Tensors_may_be_listed_and_stored_in_any_order()
    {
        // The header lists the weight first but stores the bias first; the JSON has spaces and newlines.
        byte[] file = Build(
            "{\n  \"linear.weight\": {\"data_offsets\": [8, 32], \"shape\": [2, 3], \"dtype\": \"F32\"},\n  \"linear.bias\": {\"shape\": [2], \"dtype\": \"F32\", \"data_offsets\": [0, 8]}\n}",
            F32(1.5f, -2f),
            F32(0.5f, -1f, 2f, 0.25f, 3f, -0.125f));
        var network = new LinearSoftmaxNetwork(3, 2, seed: 1);

        SafeTensors.Load(network, WriteFile(file));

        Assert.Equal(Bits(PyTorchLinearParameters), Bits(network));
    }

    [Fact]
    public void Unknown_fields_of_a_tensor_are_ignored()
    {
        byte[] file = Build(
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"comment\":{\"nested\":[1,2,{\"a\":null}]}}}",
            F32(1f, 2f));
        var network = new TensorTableNetwork(("x", [2]));

        SafeTensors.Load(network, new MemoryStream(file));

        Assert.Equal([1f, 2f], network.Parameters.ToArray());
    }

    [Fact]
    public void F16_values_convert_exactly()
    {
        // Bit patterns and their values worked out by hand: 1, -2.5, the largest half, the smallest normal,
        // the smallest subnormal, -0, 0.333251953125 (0x3555 = 1.0101010101b · 2^-2), 1025.
        ushort[] bits = [0x3C00, 0xC100, 0x7BFF, 0x0400, 0x0001, 0x8000, 0x3555, 0x6401];
        float[] expected = [1f, -2.5f, 65504f, MathF.ScaleB(1f, -14), MathF.ScaleB(1f, -24), -0f, 0.333251953125f, 1025f];
        var network = new TensorTableNetwork(("h", [8]));

        SafeTensors.Load(network, new MemoryStream(Build("{\"h\":{\"dtype\":\"F16\",\"shape\":[8],\"data_offsets\":[0,16]}}", Bits16(bits))));

        Assert.Equal(Bits(expected), Bits(network));
    }

    [Fact]
    public void BF16_values_convert_exactly()
    {
        // BF16 is the top half of a float32: 1, -2.5, the largest bfloat16, its smallest subnormal (2^-133), -0, 3.140625.
        ushort[] bits = [0x3F80, 0xC020, 0x7F7F, 0x0001, 0x8000, 0x4049];
        float[] expected = [1f, -2.5f, MathF.ScaleB(255f, 120), MathF.ScaleB(1f, -133), -0f, 3.140625f];
        var network = new TensorTableNetwork(("b", [2, 3]));

        SafeTensors.Load(network, new MemoryStream(Build("{\"b\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}", Bits16(bits))));

        Assert.Equal(Bits(expected), Bits(network));
    }

    [Fact]
    public void F64_values_are_rounded_to_the_nearest_float()
    {
        double[] values = [1.0, -2.5, 0.1, 1e-40, 16777217.0];
        var network = new TensorTableNetwork(("d", [5]));

        SafeTensors.Load(network, new MemoryStream(Build("{\"d\":{\"dtype\":\"F64\",\"shape\":[5],\"data_offsets\":[0,40]}}", F64(values))));

        // 0.1 to its nearest float (0x3DCCCCCD); 1e-40 to a subnormal float; 2^24 + 1 ties to even, 2^24.
        Assert.Equal(Bits(1f, -2.5f, BitConverter.UInt32BitsToSingle(0x3DCCCCCD), BitConverter.UInt32BitsToSingle(0x000116C2), 16777216f), Bits(network));
    }

    [Fact]
    public void Tensors_of_different_dtypes_load_into_one_network()
    {
        // F16 weight (0.5, -1, 2, 0.25, 3, -0.125) and BF16 bias (1.5, -2), as a half-precision export would have them.
        byte[] file = Build(
            "{\"linear.weight\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,12]},\"linear.bias\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[12,16]}}",
            Bits16(0x3800, 0xBC00, 0x4000, 0x3400, 0x4200, 0xB000),
            Bits16(0x3FC0, 0xC000));
        var network = new LinearSoftmaxNetwork(3, 2, seed: 1);

        SafeTensors.Load(network, WriteFile(file));

        Assert.Equal(Bits(PyTorchLinearParameters), Bits(network));
    }

    [Fact]
    public void An_explicit_map_loads_tensors_stored_under_other_names()
    {
        byte[] file = Build(
            "{\"features.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"features.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}}",
            F32(1.5f, -2f),
            F32(0.5f, -1f, 2f, 0.25f, 3f, -0.125f));
        var network = new LinearSoftmaxNetwork(3, 2, seed: 1);
        var options = new SafeTensorsLoadOptions
        {
            TensorNames = new Dictionary<string, string> { ["linear.weight"] = "features.0.weight", ["linear.bias"] = "features.0.bias" },
        };

        SafeTensors.Load(network, WriteFile(file), options);

        Assert.Equal(Bits(PyTorchLinearParameters), Bits(network));
    }

    [Fact]
    public void A_partial_map_keeps_the_other_names()
    {
        byte[] file = Build(
            "{\"linear.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}}",
            F32(1.5f, -2f),
            F32(0.5f, -1f, 2f, 0.25f, 3f, -0.125f));
        var network = new LinearSoftmaxNetwork(3, 2, seed: 1);

        SafeTensors.Load(network, WriteFile(file), new SafeTensorsLoadOptions { TensorNames = new Dictionary<string, string> { ["linear.weight"] = "w" } });

        Assert.Equal(Bits(PyTorchLinearParameters), Bits(network));
    }

    [Fact]
    public void Saving_with_a_map_writes_the_mapped_names_and_the_same_map_loads_them()
    {
        var network = new LinearSoftmaxNetwork(3, 2, seed: 1);
        var names = new Dictionary<string, string> { ["linear.weight"] = "0.weight", ["linear.bias"] = "0.bias" };
        string path = Path.Combine(_directory, "sequential.safetensors");
        SafeTensors.Save(network, path, tensorNames: names);

        Assert.Equal(["0.bias", "0.weight"], SafeTensors.ReadHeader(path).TensorNames);
        var loaded = new LinearSoftmaxNetwork(3, 2, seed: 2);
        SafeTensors.Load(loaded, path, new SafeTensorsLoadOptions { TensorNames = names });
        Assert.Equal(Bits(network), Bits(loaded));
    }

    [Fact]
    public void An_nn_Sequential_file_loads_by_sequential_index_although_its_names_sort_as_strings()
    {
        // nn.Sequential(Conv2d(1, 2, 1), ReLU(), MaxPool2d(2), Conv2d(2, 1, 1), ReLU(), ... , Linear(3, 1) at index 10):
        // save_file sorts the names as strings, so 10.* comes before 3.*.
        var network = new TensorTableNetwork(
            ("conv1.weight", [2, 1, 1, 1]), ("conv1.bias", [2]),
            ("conv2.weight", [1, 2, 1, 1]), ("conv2.bias", [1]),
            ("dense3.weight", [1, 3]), ("dense3.bias", [1]));
        byte[] file = Build(
            "{\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
            "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,1,1],\"data_offsets\":[8,16]}," +
            "\"10.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}," +
            "\"10.weight\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[20,32]}," +
            "\"3.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[32,36]}," +
            "\"3.weight\":{\"dtype\":\"F32\",\"shape\":[1,2,1,1],\"data_offsets\":[36,44]}}",
            F32(1f, 2f), F32(3f, 4f), F32(5f), F32(6f, 7f, 8f), F32(9f), F32(10f, 11f));
        string path = WriteFile(file);

        SafeTensorsHeader header = SafeTensors.ReadHeader(path);
        IReadOnlyDictionary<string, string> names = SafeTensorsNameMap.BySequentialIndex(network, header.TensorNames);
        SafeTensors.Load(network, path, new SafeTensorsLoadOptions { TensorNames = names });

        Assert.Equal("3.weight", names["conv2.weight"]);
        Assert.Equal("10.bias", names["dense3.bias"]);
        // conv1.weight, conv1.bias, conv2.weight, conv2.bias, dense3.weight, dense3.bias
        Assert.Equal([3f, 4f, 1f, 2f, 10f, 11f, 9f, 6f, 7f, 8f, 5f], network.Parameters.ToArray());
    }

    [Fact]
    public void Extra_tensors_of_any_dtype_are_skipped_when_asked_from_a_file_or_a_pipe()
    {
        // BatchNorm-style buffers in the middle of the data: an int64 counter and an FP8 and a future dtype.
        byte[] file = Build(
            "{\"linear.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
            "\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}," +
            "\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[3],\"data_offsets\":[16,19]}," +
            "\"future\":{\"dtype\":\"X99\",\"shape\":[7],\"data_offsets\":[19,24]}," +
            "\"linear.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[24,48]}}",
            F32(1.5f, -2f),
            I64(12345),
            [1, 2, 3, 4, 5, 6, 7, 8],
            F32(0.5f, -1f, 2f, 0.25f, 3f, -0.125f));
        var options = new SafeTensorsLoadOptions { IgnoreExtraTensors = true };

        var fromFile = new LinearSoftmaxNetwork(3, 2, seed: 1);
        SafeTensors.Load(fromFile, WriteFile(file), options);
        var fromPipe = new LinearSoftmaxNetwork(3, 2, seed: 1);
        SafeTensors.Load(fromPipe, new NonSeekableStream(new MemoryStream(file)), options);

        Assert.Equal(Bits(PyTorchLinearParameters), Bits(fromFile));
        Assert.Equal(Bits(PyTorchLinearParameters), Bits(fromPipe));
    }

    [Fact]
    public void NaN_and_infinity_load_when_allowed()
    {
        byte[] file = Build("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", F32(float.NaN, float.PositiveInfinity, 1f));
        var network = new TensorTableNetwork(("x", [3]));

        SafeTensors.Load(network, new MemoryStream(file), new SafeTensorsLoadOptions { AllowNonFiniteValues = true });

        Assert.Equal(Bits(float.NaN, float.PositiveInfinity, 1f), Bits(network));
    }

    [Fact]
    public void Zero_sized_and_scalar_tensors_are_valid()
    {
        byte[] file = Build(
            "{\"empty\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]},\"scale\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}    ", // padded to 120 bytes, as the writer pads
            F32(2.5f));
        var network = new TensorTableNetwork(("scale", []), ("empty", [0, 3]));

        SafeTensors.Load(network, new MemoryStream(file));

        Assert.Equal([2.5f], network.Parameters.ToArray());
        Assert.Equal(file, SaveToBytes(network, new Dictionary<string, string>()));
    }

    [Fact]
    public void Saving_refuses_bad_names_and_metadata_before_creating_a_file()
    {
        var network = new LinearSoftmaxNetwork(3, 2, seed: 1);
        string path = Path.Combine(_directory, "bad.safetensors");

        var reserved = Assert.Throws<ArgumentException>(() => SafeTensors.Save(network, path, tensorNames: new Dictionary<string, string> { ["linear.bias"] = "__metadata__" }));
        var clash = Assert.Throws<ArgumentException>(() => SafeTensors.Save(network, path, tensorNames: new Dictionary<string, string> { ["linear.bias"] = "linear.weight" }));
        var unknown = Assert.Throws<ArgumentException>(() => SafeTensors.Save(network, path, tensorNames: new Dictionary<string, string> { ["fc.bias"] = "0.bias" }));
        var nullValue = Assert.Throws<ArgumentException>(() => SafeTensors.Save(network, path, new Dictionary<string, string> { ["format"] = null! }));

        Assert.StartsWith("'linear.bias' cannot be saved as '__metadata__'", reserved.Message);
        Assert.StartsWith("'linear.weight' and 'linear.bias' would both be 'linear.weight' in the file.", clash.Message);
        Assert.StartsWith("The name map has a key that is not a tensor of LinearSoftmaxNetwork: 'fc.bias' (its tensors: linear.weight, linear.bias).", unknown.Message);
        Assert.StartsWith("The metadata value of 'format' is null.", nullValue.Message);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Saving_over_an_existing_file_replaces_it()
    {
        string path = Path.Combine(_directory, "linear.safetensors");
        SafeTensors.Save(new LinearSoftmaxNetwork(6, 3, seed: 1), path);
        var second = new LinearSoftmaxNetwork(6, 3, seed: 2);
        SafeTensors.Save(second, path);

        var loaded = new LinearSoftmaxNetwork(6, 3, seed: 3);
        SafeTensors.Load(loaded, path);

        Assert.Equal(Bits(second), Bits(loaded));
    }

    [Fact]
    public void A_large_tensor_is_read_in_chunks_from_a_pipe()
    {
        // 50,000 floats: more than one 64 KiB chunk, through a stream that returns at most 7 bytes per read.
        var network = new TensorTableNetwork(("big.weight", [250, 200]), ("big.bias", [250]));
        byte[] file = SaveToBytes(network);
        var loaded = new TensorTableNetwork(("big.weight", [250, 200]), ("big.bias", [250]));
        loaded.ResetParameters(seed: 2);

        SafeTensors.Load(loaded, new NonSeekableStream(new MemoryStream(file)));

        Assert.Equal(Bits(network), Bits(loaded));
    }
}
