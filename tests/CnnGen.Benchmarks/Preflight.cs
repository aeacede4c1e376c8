using System.Runtime.Intrinsics;
using CnnGen.Runtime;

namespace CnnGen.Benchmarks;

/// <summary>
/// Runs once in the host process before BenchmarkDotNet starts: prints the machine's FMA peak and
/// checks that ONNX Runtime and libtorch agree with CnnGen on every network and batch size that
/// will be timed. Each benchmark's own setup repeats its check in its own process.
/// </summary>
internal static class Preflight
{
    public static void Run()
    {
        Console.WriteLine(
            $"// CnnGen preflight: Vector512 accelerated: {Vector512.IsHardwareAccelerated}, " +
            $"FP32 FMA peak ≈ {FmaLoops.MeasuredPeakGflopsPerCore:F1} GFLOP/s per core");
        BenchmarkThreads.Apply(1);
        foreach (BenchmarkNetwork network in new[] { BenchmarkNetworks.LeNet5, BenchmarkNetworks.SeedNet, BenchmarkNetworks.SeedConv2 })
        {
            int[] batches = network == BenchmarkNetworks.SeedConv2 ? [BenchmarkData.BatchSize] : [1, BenchmarkData.BatchSize];
            foreach (int batch in batches)
            {
                Check(network, batch);
            }
        }

        foreach (int batch in new[] { 1, BenchmarkData.BatchSize })
        {
            CheckGraph(BenchmarkNetworks.ResNet8, batch);
        }

        CheckTrainingForward(BenchmarkNetworks.ResNet8);
    }

    /// <summary>
    /// A graph network after a few training steps, in inference: CnnGen as trained and after <c>Freeze()</c>
    /// against ORT and libtorch built from its tensors by <c>state_dict</c> name.
    /// </summary>
    private static void CheckGraph(BenchmarkNetwork network, int batch)
    {
        INetwork cnnGen = network.CreateCnnGen();
        cnnGen.IsTraining = false;
        INetwork frozen = network.Create();
        BenchmarkNetworks.CopyState(cnnGen, frozen);
        network.Freeze?.Invoke(frozen);
        float[] input = BenchmarkData.Images(batch, network.InputLength);
        using var onnx = new OnnxInference(network, cnnGen, batch, threads: 1, input);
        using var torch = new TorchInference(network, cnnGen, batch, input);
        var output = new float[batch * network.OutputLength];
        var frozenOutput = new float[batch * network.OutputLength];
        cnnGen.ForwardBatch(input, output, batch);
        frozen.ForwardBatch(input, frozenOutput, batch);
        onnx.Run();
        torch.Run();
        string what = $"{network.Name}, batch {batch}";
        float onnxDifference = Agreement.Check(what, "ONNX Runtime", output, onnx.Output);
        float torchDifference = Agreement.Check(what, "libtorch", output, torch.Output);
        float frozenDifference = Agreement.Check(what, "CnnGen frozen", output, frozenOutput);
        Console.WriteLine(
            $"// CnnGen preflight: {what} (after {cnnGen.BatchesTracked[0]} training batches, inference): max |CnnGen − ORT| = {onnxDifference:G3}, " +
            $"max |CnnGen − libtorch| = {torchDifference:G3}, max |CnnGen − frozen| = {frozenDifference:G3}, max |output| = {output.Max(MathF.Abs):G3}");
    }

    /// <summary>
    /// The training step's forward: batch statistics in CnnGen and in libtorch's <c>train()</c> mode give the same
    /// logits, and both update the running statistics alike.
    /// </summary>
    private static void CheckTrainingForward(BenchmarkNetwork network)
    {
        int batch = BenchmarkData.BatchSize;
        INetwork cnnGen = network.CreateCnnGen();
        float[] input = BenchmarkData.Images(batch, network.InputLength);
        using var torch = new TorchInference(network, cnnGen, batch, input, train: true);
        var output = new float[batch * network.OutputLength];
        cnnGen.IsTraining = true;
        cnnGen.ForwardBatch(input, output, batch);
        torch.RunWithoutGradients();
        string what = $"{network.Name}, batch {batch}, training-mode forward";
        float torchDifference = Agreement.Check(what, "libtorch", output, torch.Output);
        float[] torchState = torch.StateByName(cnnGen.StateTensors);
        float stateDifference = Agreement.Check(what + ", running statistics after it", "libtorch", cnnGen.State, torchState);
        Console.WriteLine(
            $"// CnnGen preflight: {what}: max |CnnGen − libtorch| = {torchDifference:G3} (running statistics after it: {stateDifference:G3}), " +
            $"max |output| = {output.Max(MathF.Abs):G3}");
    }

    private static void Check(BenchmarkNetwork network, int batch)
    {
        INetwork cnnGen = network.CreateCnnGen();
        float[] input = BenchmarkData.Images(batch, network.InputLength);
        using var onnx = new OnnxInference(network, cnnGen, batch, threads: 1, input);
        using var torch = new TorchInference(network, cnnGen, batch, input);
        network.Freeze?.Invoke(cnnGen);
        var output = new float[batch * network.OutputLength];
        cnnGen.ForwardBatch(input, output, batch);
        onnx.Run();
        torch.Run();
        string what = $"{network.Name}, batch {batch}";
        float onnxDifference = Agreement.Check(what, "ONNX Runtime", output, onnx.Output);
        float torchDifference = Agreement.Check(what, "libtorch", output, torch.Output);
        Console.WriteLine(
            $"// CnnGen preflight: {what}: max |CnnGen − ORT| = {onnxDifference:G3}, max |CnnGen − libtorch| = {torchDifference:G3}, " +
            $"max |output| = {output.Max(MathF.Abs):G3}");
    }
}
