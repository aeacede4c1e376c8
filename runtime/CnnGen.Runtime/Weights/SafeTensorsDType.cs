using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace CnnGen.Runtime.Weights;

/// <summary>
/// The safetensors element types: their sizes (to check <c>data_offsets</c> against shapes) and, for the
/// floating-point ones a network can load, the conversion of little-endian bytes to <see cref="float"/>.
/// </summary>
internal static class SafeTensorsDType
{
    /// <summary>The only dtype <see cref="SafeTensors.Save(INetwork, string, IReadOnlyDictionary{string, string}?, IReadOnlyDictionary{string, string}?)"/> writes.</summary>
    public const string F32 = "F32";

    /// <summary>What a load converts to float32, in the order messages list them.</summary>
    public const string Loadable = "F32, F16, BF16 and F64";

    /// <summary>
    /// Bits per element of every dtype the safetensors format defines, so that a file with (say) int64
    /// buffers or FP8 tensors still passes the structural checks and fails, if at all, by name and dtype.
    /// </summary>
    private static readonly Dictionary<string, int> BitsPerElement = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 8, ["U8"] = 8, ["I8"] = 8, ["F8_E5M2"] = 8, ["F8_E4M3"] = 8, ["F8_E8M0"] = 8,
        ["I16"] = 16, ["U16"] = 16, ["F16"] = 16, ["BF16"] = 16,
        ["I32"] = 32, ["U32"] = 32, ["F32"] = 32,
        ["I64"] = 64, ["U64"] = 64, ["F64"] = 64, ["C64"] = 64,
        ["F4"] = 4, ["F6_E2M3"] = 6, ["F6_E3M2"] = 6,
    };

    /// <summary>Bits per element, or <see langword="null"/> for a dtype this runtime does not know.</summary>
    public static int? Bits(string dtype) => BitsPerElement.TryGetValue(dtype, out int bits) ? bits : null;

    /// <summary>Whether a tensor of <paramref name="dtype"/> can be loaded into float32 parameters.</summary>
    public static bool CanLoad(string dtype) => dtype is "F32" or "F16" or "BF16" or "F64";

    /// <summary>Bytes per element of a loadable dtype.</summary>
    public static int Size(string dtype) => dtype switch
    {
        "F32" => 4,
        "F16" or "BF16" => 2,
        "F64" => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a loadable dtype."),
    };

    /// <summary>
    /// Converts <paramref name="bytes"/> (little-endian elements of <paramref name="dtype"/>) to
    /// <paramref name="floats"/>: F32 as is, F16 through <see cref="Half"/>, BF16 by shifting its 16 bits
    /// into the high half of a float32 (exact), F64 rounded to the nearest float32 (values beyond
    /// float32's range become ±∞).
    /// </summary>
    public static void ToSingle(string dtype, ReadOnlySpan<byte> bytes, Span<float> floats)
    {
        switch (dtype)
        {
            case "F32" when BitConverter.IsLittleEndian:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(floats);
                break;
            case "F32":
                for (int i = 0; i < floats.Length; i++)
                {
                    floats[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                }

                break;
            case "F16" when BitConverter.IsLittleEndian:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(bytes), floats);
                break;
            case "F16":
                for (int i = 0; i < floats.Length; i++)
                {
                    floats[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                }

                break;
            case "BF16":
                for (int i = 0; i < floats.Length; i++)
                {
                    floats[i] = BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                }

                break;
            case "F64":
                for (int i = 0; i < floats.Length; i++)
                {
                    floats[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a loadable dtype.");
        }
    }

    /// <summary>Writes <paramref name="floats"/> as little-endian float32 into <paramref name="bytes"/>.</summary>
    public static void FromSingle(ReadOnlySpan<float> floats, Span<byte> bytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(floats).CopyTo(bytes);
            return;
        }

        for (int i = 0; i < floats.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes[(4 * i)..], floats[i]);
        }
    }
}
