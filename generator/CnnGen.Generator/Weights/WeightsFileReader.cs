using System.IO;
using System.Threading;

namespace CnnGen.Generator.Weights;

/// <summary>Reads a safetensors AdditionalFiles item's bytes.</summary>
internal static class WeightsFileReader
{
    /// <remarks>
    /// Roslyn hands additional files to generators only as decoded text, which cannot carry binary
    /// data, so the bytes are read from the item's path. The compiler still tracks the item: a
    /// changed file is a new input and re-runs this step; unchanged content compares equal downstream.
    /// </remarks>
    public static CompiledWeightsFile Read(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
#pragma warning disable RS1035 // File IO: see remarks; there is no binary AdditionalText API.
            byte[] bytes = File.ReadAllBytes(path);
#pragma warning restore RS1035
            return SafeTensorsParser.Parse(path, bytes);
        }
        catch (IOException exception)
        {
            return new CompiledWeightsFile(path, exception.Message, Model.EquatableArray<WeightTensor>.Empty);
        }
        catch (System.UnauthorizedAccessException exception)
        {
            return new CompiledWeightsFile(path, exception.Message, Model.EquatableArray<WeightTensor>.Empty);
        }
    }
}
