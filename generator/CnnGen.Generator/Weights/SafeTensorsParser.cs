using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Weights;

/// <summary>
/// Reads a safetensors file (8-byte little-endian header length, a JSON header of
/// <c>{"name": {"dtype", "shape", "data_offsets"}}</c>, then the data) for the generator.
/// The runtime has its own reader built on System.Text.Json; the generator runs on
/// netstandard2.0 inside the compiler and carries no JSON library, so this one parses the small
/// header grammar itself. F32, F16 and BF16 are converted to float; I64 is read (as integers) only for
/// BatchNorm's <c>*.num_batches_tracked</c> counters.
/// Like the runtime's reader it refuses, as a <see cref="FormatException"/> that becomes CNN0017, a
/// header that is not valid UTF-8, sizes and offsets that are not whole non-negative numbers, and
/// data_offsets that do not cover the data section from 0 to the end of the file without gaps or
/// overlaps (two tensors reading the same bytes, or bytes no tensor reads, are a damaged file).
/// </summary>
internal static class SafeTensorsParser
{
    private const long MaxHeaderBytes = 100 * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static CompiledWeightsFile Parse(string path, byte[] bytes)
    {
        try
        {
            return new CompiledWeightsFile(path, null, ReadTensors(bytes).ToEquatableArray());
        }
        catch (FormatException exception)
        {
            return new CompiledWeightsFile(path, exception.Message, EquatableArray<WeightTensor>.Empty);
        }
    }

    private static List<WeightTensor> ReadTensors(byte[] bytes)
    {
        if (bytes.Length < 8)
        {
            throw new FormatException($"the file has {bytes.Length} bytes, fewer than the 8 of the header length");
        }

        long headerLength = BitConverter.ToInt64(bytes, 0);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > bytes.Length)
        {
            throw new FormatException($"the header length {headerLength} does not fit the file's {bytes.Length} bytes");
        }

        string json;
        try
        {
            json = StrictUtf8.GetString(bytes, 8, (int)headerLength);
        }
        catch (DecoderFallbackException exception)
        {
            throw new FormatException($"the JSON header is not valid UTF-8 ({exception.Message})");
        }

        var header = (Dictionary<string, object>)new JsonReader(json).ReadDocument();
        long dataStart = 8 + headerLength, dataLength = bytes.Length - dataStart;
        var tensors = new List<WeightTensor>();
        foreach (KeyValuePair<string, object> entry in header)
        {
            if (entry.Key == "__metadata__")
            {
                continue;
            }

            tensors.Add(ReadTensor(entry.Key, entry.Value as Dictionary<string, object>, bytes, dataStart, dataLength));
        }

        CheckLayout(header, dataLength);
        tensors.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return tensors;
    }

    private static WeightTensor ReadTensor(string name, Dictionary<string, object>? entry, byte[] bytes, long dataStart, long dataLength)
    {
        if (entry is null
            || !entry.TryGetValue("dtype", out object? dtypeValue) || dtypeValue is not string dtype
            || !entry.TryGetValue("shape", out object? shapeValue) || shapeValue is not List<object> shapeList
            || !entry.TryGetValue("data_offsets", out object? offsetsValue) || offsetsValue is not List<object> offsets || offsets.Count != 2)
        {
            throw new FormatException($"tensor {name} needs a dtype, a shape and two data_offsets");
        }

        int elementSize = dtype switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            "I64" when name.EndsWith(WeightTensor.CounterSuffix, StringComparison.Ordinal) => 8,
            _ => throw new FormatException($"tensor {name} has dtype {dtype}; CnnGen reads F32, F16 and BF16, and I64 only for num_batches_tracked"),
        };
        var shape = new int[shapeList.Count];
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            shape[i] = (int)WholeNumber(shapeList[i], int.MaxValue, $"tensor {name}: shape size {i}");
            count = Math.Min(count * shape[i], long.MaxValue / int.MaxValue); // past any file, never overflowing
        }

        long begin = Offset(offsets[0], name), end = Offset(offsets[1], name);
        if (begin < 0 || end > dataLength || end - begin != count * elementSize)
        {
            throw new FormatException($"tensor {name}: data_offsets [{begin}, {end}] do not hold {count} {dtype} values inside the {dataLength}-byte data section");
        }

        int at = checked((int)(dataStart + begin));
        if (dtype == "I64")
        {
            var counts = new long[count];
            for (int i = 0; i < counts.Length; i++, at += elementSize)
            {
                counts[i] = BitConverter.ToInt64(bytes, at);
            }

            return new WeightTensor(name, dtype, shape.ToEquatableArray(), EquatableArray<float>.Empty) { Integers = counts.ToEquatableArray() };
        }

        var values = new float[count];
        for (int i = 0; i < values.Length; i++, at += elementSize)
        {
            values[i] = dtype switch
            {
                "F32" => BitConverter.ToSingle(bytes, at),
                "F16" => HalfToSingle(BitConverter.ToUInt16(bytes, at)),
                _ => BitConverter.ToSingle(BitConverter.GetBytes(BitConverter.ToUInt16(bytes, at) << 16), 0),
            };
            if (float.IsNaN(values[i]) || float.IsInfinity(values[i]))
            {
                throw new FormatException($"tensor {name} holds {values[i].ToString(CultureInfo.InvariantCulture)} at index {i}; weights must be finite");
            }
        }

        return new WeightTensor(name, dtype, shape.ToEquatableArray(), values.ToEquatableArray());
    }

    // Tensors must tile the data section: sorted by begin, each starts where the previous ended, from 0 to the end of the file.
    private static void CheckLayout(Dictionary<string, object> header, long dataLength)
    {
        var ranges = new List<(long Begin, long End, string Name)>();
        foreach (KeyValuePair<string, object> entry in header)
        {
            if (entry.Key != "__metadata__")
            {
                var offsets = (List<object>)((Dictionary<string, object>)entry.Value)["data_offsets"];
                ranges.Add((Offset(offsets[0], entry.Key), Offset(offsets[1], entry.Key), entry.Key));
            }
        }

        ranges.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        string previous = "the start of the data";
        foreach ((long begin, long end, string name) in ranges)
        {
            if (begin != expected)
            {
                throw new FormatException(begin < expected
                    ? $"tensor {name} (bytes {begin} to {end}) overlaps {previous}, which ends at {expected}"
                    : $"the {begin - expected} bytes between {previous} (byte {expected}) and tensor {name} (byte {begin}) belong to no tensor");
            }

            expected = end;
            previous = $"tensor {name}";
        }

        if (expected != dataLength)
        {
            throw new FormatException($"the data section has {dataLength} bytes but its tensors cover {expected}: {dataLength - expected} bytes after {previous} belong to no tensor");
        }
    }

    private static long Offset(object value, string name) => WholeNumber(value, long.MaxValue, $"tensor {name}: a data offset");

    // A JSON number that is whole, non-negative and at most max.
    private static long WholeNumber(object value, long max, string what)
    {
        if (value is not double number || number < 0 || number > max || number != Math.Floor(number))
        {
            throw new FormatException($"{what} is {(value is double d ? d.ToString(CultureInfo.InvariantCulture) : $"'{value}'")}, not a whole number from 0 to {max}");
        }

        return (long)number;
    }

    /// <summary>IEEE 754 binary16 to binary32 (netstandard2.0 has no System.Half).</summary>
    private static float HalfToSingle(ushort half)
    {
        int sign = (half >> 15) & 1, exponent = (half >> 10) & 0x1F, mantissa = half & 0x3FF;
        float magnitude = exponent switch
        {
            0 => mantissa * (1f / (1 << 24)),
            31 => mantissa == 0 ? float.PositiveInfinity : float.NaN,
            _ => (1f + (mantissa / 1024f)) * (float)Math.Pow(2, exponent - 15),
        };
        return sign == 1 ? -magnitude : magnitude;
    }

    /// <summary>Just enough JSON for a safetensors header: objects, arrays, strings and numbers.</summary>
    private sealed class JsonReader
    {
        private readonly string _text;
        private int _at;

        public JsonReader(string text) => _text = text;

        public object ReadDocument()
        {
            object value = ReadValue();
            SkipWhitespace();
            if (_at != _text.Length || value is not Dictionary<string, object>)
            {
                throw Error("the header is not one JSON object");
            }

            return value;
        }

        private object ReadValue()
        {
            SkipWhitespace();
            if (_at >= _text.Length)
            {
                throw Error("the JSON header ends early");
            }

            char c = _text[_at];
            if (c == '{')
            {
                return ReadObject();
            }

            if (c == '[')
            {
                return ReadArray();
            }

            if (c == '"')
            {
                return ReadString();
            }

            return ReadNumber();
        }

        private Dictionary<string, object> ReadObject()
        {
            var result = new Dictionary<string, object>(StringComparer.Ordinal);
            _at++;
            SkipWhitespace();
            if (Peek() == '}')
            {
                _at++;
                return result;
            }

            while (true)
            {
                SkipWhitespace();
                string key = ReadString();
                SkipWhitespace();
                Expect(':');
                if (result.ContainsKey(key))
                {
                    throw Error($"the key '{key}' appears twice");
                }

                result[key] = ReadValue();
                SkipWhitespace();
                if (Peek() == ',')
                {
                    _at++;
                    continue;
                }

                Expect('}');
                return result;
            }
        }

        private List<object> ReadArray()
        {
            var result = new List<object>();
            _at++;
            SkipWhitespace();
            if (Peek() == ']')
            {
                _at++;
                return result;
            }

            while (true)
            {
                result.Add(ReadValue());
                SkipWhitespace();
                if (Peek() == ',')
                {
                    _at++;
                    continue;
                }

                Expect(']');
                return result;
            }
        }

        private string ReadString()
        {
            Expect('"');
            var builder = new StringBuilder();
            while (_at < _text.Length && _text[_at] != '"')
            {
                char c = _text[_at++];
                if (c == '\\' && _at < _text.Length)
                {
                    char escaped = _text[_at++];
                    c = escaped switch
                    {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        'b' => '\b',
                        'f' => '\f',
                        'u' when _at + 4 <= _text.Length => (char)Convert.ToInt32(_text.Substring((_at += 4) - 4, 4), 16),
                        _ => escaped,
                    };
                }

                builder.Append(c);
            }

            Expect('"');
            return builder.ToString();
        }

        private object ReadNumber()
        {
            int start = _at;
            while (_at < _text.Length && "+-0123456789.eE".IndexOf(_text[_at]) >= 0)
            {
                _at++;
            }

            if (!double.TryParse(_text.Substring(start, _at - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
            {
                throw Error($"unexpected '{Peek()}' at header offset {start}");
            }

            return number;
        }

        private void SkipWhitespace()
        {
            while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
            {
                _at++;
            }
        }

        private char Peek() => _at < _text.Length ? _text[_at] : '\0';

        private void Expect(char c)
        {
            if (Peek() != c)
            {
                throw Error($"expected '{c}' at header offset {_at}");
            }

            _at++;
        }

        private static FormatException Error(string message) => new("malformed JSON header: " + message);
    }
}
