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
    }

    private static void Check(BenchmarkNetwork network, int batch)
    {
        INetwork cnnGen = network.CreateCnnGen();
        float[] input = BenchmarkData.Images(batch, network.InputLength);
        using var onnx = new OnnxInference(network, cnnGen.Parameters, batch, threads: 1, input);
        using var torch = new TorchInference(network, cnnGen.Parameters, batch, input);
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
