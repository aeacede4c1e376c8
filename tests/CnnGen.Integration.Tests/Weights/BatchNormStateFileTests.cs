using System.Buffers.Binary;
using System.Text.Json;
using CnnGen.Runtime;
using CnnGen.Runtime.Weights;
using static CnnGen.Tests.Weights.WeightFileOracles;

namespace CnnGen.Integration.Tests.Weights;

/// <summary>The golden PyTorch state_dict compiled in (an AdditionalFiles item): running statistics and count included.</summary>
[Network(Weights = "Golden/conv-batchnorm.safetensors")]
[Input(2, 5, 5)]
[Conv2D(3, 3, Padding = 1, Bias = false), BatchNorm2D(Momentum = 0.2), Relu]
[GlobalAvgPool2D, Flatten, Dense(2)]
internal partial class CompiledConvBatchNorm;

/// <summary>
/// A network's whole <c>state_dict</c> — parameters, BatchNorm's running statistics and its I64
/// <c>num_batches_tracked</c> — goes through safetensors and CnnGen's weight file both ways: CnnGen to CnnGen,
/// and from a file PyTorch wrote (Golden/make_batchnorm_state.py), loaded at run time or compiled in, whose
/// eval-mode output CnnGen must reproduce.
/// </summary>
public sealed class BatchNormStateFileTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void A_weight_file_restores_parameters_running_statistics_and_counts_and_the_same_predictions()
    {
        ConvBatchNorm trained = TrainedConvBatchNorm(steps: 2);
        using var file = new MemoryStream();
        WeightFile.Save(trained, file);
        file.Position = 0;

        var loaded = new ConvBatchNorm();
        WeightFile.Load(loaded, file);

        Assert.Equal(trained.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(trained.State.ToArray(), loaded.State.ToArray());
        Assert.NotEqual(new ConvBatchNorm().State.ToArray(), loaded.State.ToArray());
        Assert.Equal([2L], loaded.BatchesTracked.ToArray());
        float[] probe = Support.TestData.Uniform(new Random(4), 3 * ConvBatchNorm.InputLength, -1, 2);
        Assert.Equal(Predict(trained, probe, 3), Predict(loaded, probe, 3));
    }

    [Fact]
    public void A_ResNet8_weight_file_restores_every_BatchNorm_and_the_same_predictions()
    {
        var trained = new ResNet8();
        trained.ResetParameters(seed: 3);
        trained.IsTraining = true;
        var random = new Random(8);
        for (int step = 0; step < 2; step++)
        {
            trained.ForwardBatch(Support.TestData.Uniform(random, 2 * ResNet8.InputLength, 0, 1), new float[2 * ResNet8.OutputLength], 2);
        }

        trained.IsTraining = false;
        string path = Path.Combine(Path.GetTempPath(), $"cnngen-resnet8-{Guid.NewGuid():N}{WeightFile.Extension}");
        try
        {
            WeightFile.Save(trained, path);
            var loaded = new ResNet8();
            WeightFile.Load(loaded, path);

            Assert.Equal(trained.Parameters.ToArray(), loaded.Parameters.ToArray());
            Assert.Equal(trained.State.ToArray(), loaded.State.ToArray());
            Assert.Equal(Enumerable.Repeat(2L, ResNet8.BatchesTrackedNames.Count), loaded.BatchesTracked.ToArray());
            float[] probe = Support.TestData.Uniform(random, 2 * ResNet8.InputLength, 0, 1);
            Assert.Equal(Predict(trained, probe, 2), Predict(loaded, probe, 2));
            int stateBytes = (4 * ResNet8.StateCount) + (8 * ResNet8.BatchesTrackedNames.Count);
            output.WriteLine($"ResNet-8 weight file: version 1 (parameters only) {Version1File(trained).Length} bytes, version 2 {new FileInfo(path).Length} bytes ({ResNet8.StateCount} floats of state, {ResNet8.BatchesTrackedNames.Count} counters: {stateBytes} bytes of values)");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_version_1_weight_file_loads_the_parameters_and_resets_the_state_of_a_trained_network()
    {
        ConvBatchNorm saved = TrainedConvBatchNorm(steps: 3);
        ConvBatchNorm target = TrainedConvBatchNorm(steps: 1);
        target.ResetParameters(seed: 6); // parameters differ; state reset too…
        target.IsTraining = true;
        target.ForwardBatch(new float[ConvBatchNorm.InputLength], new float[ConvBatchNorm.OutputLength], 1); // …and moved again
        target.IsTraining = false;

        WeightFile.Load(target, new MemoryStream(Version1File(saved)));

        Assert.Equal(saved.Parameters.ToArray(), target.Parameters.ToArray());
        Assert.Equal(new ConvBatchNorm().State.ToArray(), target.State.ToArray()); // running means 0, variances 1
        Assert.Equal([0L], target.BatchesTracked.ToArray());
    }

    [Fact]
    public void The_PyTorch_state_dict_compiled_in_predicts_as_PyTorch_does_and_holds_its_statistics()
    {
        var compiled = new CompiledConvBatchNorm();
        var loaded = new ConvBatchNorm();
        SafeTensors.Load(loaded, Golden("conv-batchnorm.safetensors"));

        Assert.Equal(loaded.Parameters.ToArray(), compiled.Parameters.ToArray());
        Assert.Equal(loaded.State.ToArray(), compiled.State.ToArray());
        Assert.NotEqual(new ConvBatchNorm().State.ToArray(), compiled.State.ToArray());
        Assert.Equal([3L], compiled.BatchesTracked.ToArray()); // three training steps in PyTorch

        Dictionary<string, float[]> probe = ReadFloats(Golden("conv-batchnorm-probe.safetensors"));
        var output = new float[probe["output"].Length];
        compiled.ForwardBatch(probe["input"], output, 2);
        Support.NumericAssert.ForwardClose(probe["output"].Select(value => (double)value).ToArray(), output, "compiled-in eval-mode output against PyTorch's");

        var other = new CompiledConvBatchNorm();
        compiled.State.Clear(); // each instance owns a copy of the compiled-in state
        Assert.Equal(loaded.State.ToArray(), other.State.ToArray());
        compiled.ResetState();
        Assert.Equal(new ConvBatchNorm().State.ToArray(), compiled.State.ToArray());
        Assert.Equal([0L], compiled.BatchesTracked.ToArray());
    }

    [Fact]
    public void Save_then_Load_restores_parameters_running_statistics_and_counts()
    {
        ConvBatchNorm trained = TrainedConvBatchNorm(steps: 2);
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

    private static ConvBatchNorm TrainedConvBatchNorm(int steps)
    {
        var network = new ConvBatchNorm();
        network.IsTraining = true;
        var random = new Random(21 + steps);
        for (int step = 0; step < steps; step++)
        {
            float[] inputs = Support.TestData.Uniform(random, 4 * ConvBatchNorm.InputLength, 0, 3);
            network.ForwardBatch(inputs, new float[4 * ConvBatchNorm.OutputLength], 4);
        }

        network.IsTraining = false;
        return network;
    }

    private static float[] Predict(INetwork network, float[] inputs, int batch)
    {
        var outputs = new float[batch * network.OutputLength];
        network.ForwardBatch(inputs, outputs, batch);
        return outputs;
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
