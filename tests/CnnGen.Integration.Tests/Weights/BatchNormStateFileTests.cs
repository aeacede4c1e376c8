using System.Buffers.Binary;
using System.Text.Json;
using CnnGen.Runtime.Weights;

namespace CnnGen.Integration.Tests.Weights;

/// <summary>
/// A network's whole <c>state_dict</c> — parameters, BatchNorm's running statistics and its I64
/// <c>num_batches_tracked</c> — goes through safetensors both ways: CnnGen to CnnGen, and from a file PyTorch
/// wrote (Golden/make_batchnorm_state.py) whose eval-mode output CnnGen must reproduce.
/// </summary>
public sealed class BatchNormStateFileTests
{
    [Fact]
    public void Save_then_Load_restores_parameters_running_statistics_and_counts()
    {
        var trained = new ConvBatchNorm();
        trained.IsTraining = true;
        var random = new Random(21);
        for (int step = 0; step < 2; step++)
        {
            float[] inputs = Support.TestData.Uniform(random, 4 * ConvBatchNorm.InputLength, 0, 3);
            trained.ForwardBatch(inputs, new float[4 * ConvBatchNorm.OutputLength], 4);
        }

        using var file = new MemoryStream();
        SafeTensors.Save(trained, file);
        file.Position = 0;
        SafeTensorsHeader header = SafeTensors.ReadHeader(file);
        SafeTensorsTensorInfo counter = header.Tensors.Single(tensor => tensor.Name == "bn1.num_batches_tracked");
        Assert.Equal("I64", counter.DType);
        Assert.Empty(counter.Shape);
        Assert.Equal(["F32", "F32"], header.Tensors.Where(t => t.Name.StartsWith("bn1.running_", StringComparison.Ordinal)).Select(t => t.DType));

        file.Position = 0;
        var loaded = new ConvBatchNorm();
        SafeTensors.Load(loaded, file);
        Assert.Equal(trained.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(trained.State.ToArray(), loaded.State.ToArray());
        Assert.NotEqual(new ConvBatchNorm().State.ToArray(), loaded.State.ToArray());
        Assert.Equal(2, loaded.BatchesTracked[0]);
    }

    [Fact]
    public void A_PyTorch_state_dict_with_running_statistics_loads_and_predicts_as_PyTorch_does()
    {
        var net = new ConvBatchNorm();
        SafeTensors.Load(net, Golden("conv-batchnorm.safetensors"));
        Assert.Equal(3, net.BatchesTracked[0]); // three training steps in PyTorch
        Assert.NotEqual(new ConvBatchNorm().State.ToArray(), net.State.ToArray());

        Dictionary<string, float[]> probe = ReadFloats(Golden("conv-batchnorm-probe.safetensors"));
        var output = new float[probe["output"].Length];
        net.ForwardBatch(probe["input"], output, 2);
        Support.NumericAssert.ForwardClose(probe["output"].Select(value => (double)value).ToArray(), output, "eval-mode output against PyTorch's");
    }

    [Fact]
    public void A_counter_that_is_not_an_I64_scalar_is_rejected_and_loads_nothing()
    {
        var source = new ConvBatchNorm();
        using var file = new MemoryStream();
        SafeTensors.Save(source, file);
        byte[] bytes = file.ToArray();
        string text = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        string forged = text.Replace("\"bn1.num_batches_tracked\":{\"dtype\":\"I64\"", "\"bn1.num_batches_tracked\":{\"dtype\":\"F64\"", StringComparison.Ordinal);
        Assert.NotEqual(text, forged);
        System.Text.Encoding.UTF8.GetBytes(forged).CopyTo(bytes, 8);

        var target = new ConvBatchNorm();
        float[] before = target.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(target, new MemoryStream(bytes)));
        Assert.Contains("bn1.num_batches_tracked: expected an I64 scalar (), file has () F64", error.Message);
        Assert.Equal(before, target.Parameters.ToArray());
    }

    private static string Golden(string name) => Path.Combine(AppContext.BaseDirectory, "Golden", name);

    /// <summary>The F32 tensors of a safetensors file by name (a test-side reader, independent of the runtime's).</summary>
    private static Dictionary<string, float[]> ReadFloats(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using JsonDocument header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var tensors = new Dictionary<string, float[]>();
        foreach (JsonProperty tensor in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
        {
            int begin = tensor.Value.GetProperty("data_offsets")[0].GetInt32(), end = tensor.Value.GetProperty("data_offsets")[1].GetInt32();
            tensors[tensor.Name] = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan(8 + headerLength + begin, end - begin)).ToArray();
        }

        return tensors;
    }
}
