using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace CnnGen.Generator.Tests.Infrastructure;

/// <summary>A tensor to write: name, dtype, shape and values (as floats; I64 writes them as whole numbers).</summary>
internal sealed record TensorToWrite(string Name, int[] Shape, float[] Values, string DataType = "F32");

/// <summary>Writes safetensors files byte by byte, as PyTorch's safetensors does (sorted keys, __metadata__).</summary>
internal static class WeightsFiles
{
    public static byte[] Build(params TensorToWrite[] tensors)
    {
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        var data = new List<byte>();
        foreach (TensorToWrite tensor in tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            int begin = data.Count;
            foreach (float value in tensor.Values)
            {
                data.AddRange(tensor.DataType switch
                {
                    "F16" => BitConverter.GetBytes((Half)value),
                    "BF16" => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(value) >> 16)),
                    "I64" => BitConverter.GetBytes((long)value),
                    _ => BitConverter.GetBytes(value),
                });
            }

            string shape = string.Join(",", tensor.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            header.Append(CultureInfo.InvariantCulture, $",\"{tensor.Name}\":{{\"dtype\":\"{tensor.DataType}\",\"shape\":[{shape}],\"data_offsets\":[{begin},{data.Count}]}}");
        }

        byte[] json = Encoding.UTF8.GetBytes(header.Append('}').ToString());
        return BitConverter.GetBytes((long)json.Length).Concat(json).Concat(data).ToArray();
    }

    /// <summary>Writes <paramref name="bytes"/> to a new temporary file named <paramref name="fileName"/> and returns it as an AdditionalFiles item.</summary>
    public static AdditionalText Save(string fileName, byte[] bytes)
    {
        string directory = Path.Combine(Path.GetTempPath(), "cnngen-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, fileName);
        File.WriteAllBytes(path, bytes);
        return new FileItem(path);
    }

    /// <summary>An AdditionalFiles item; the generator reads its bytes from the path.</summary>
    private sealed class FileItem(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText? GetText(CancellationToken cancellationToken = default) => SourceText.From(string.Empty);
    }
}
