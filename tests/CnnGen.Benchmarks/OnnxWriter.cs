using System.Runtime.InteropServices;
using System.Text;

namespace CnnGen.Benchmarks;

/// <summary>
/// Writes an ONNX model (<c>onnx.proto</c>, IR version 8, default-domain opset 17) with just the
/// messages and fields a feed-forward CNN needs: <c>ModelProto</c>, <c>GraphProto</c>,
/// <c>NodeProto</c> with int/ints/float attributes, float <c>TensorProto</c> initializers (raw data) and
/// <c>ValueInfoProto</c> with static shapes.
/// </summary>
/// <remarks>Field numbers are onnx.proto's; the wire format is protobuf's (see <see cref="ProtobufWriter"/>).</remarks>
internal sealed class OnnxWriter
{
    private const long IrVersion = 8; // ONNX 1.12, the first IR with opset 17
    private const int OpsetVersion = 17;
    private const int ElementTypeFloat = 1; // TensorProto.DataType.FLOAT

    private readonly List<byte[]> _nodes = [];
    private readonly List<byte[]> _initializers = [];
    private readonly List<byte[]> _inputs = [];
    private readonly List<byte[]> _outputs = [];

    /// <summary>A graph input: float32 with the given static dimensions.</summary>
    public void AddInput(string name, params long[] dimensions) => _inputs.Add(ValueInfo(name, dimensions));

    /// <summary>A graph output: float32 with the given static dimensions.</summary>
    public void AddOutput(string name, params long[] dimensions) => _outputs.Add(ValueInfo(name, dimensions));

    /// <summary>A float32 constant (weight or bias), stored little-endian in <c>raw_data</c>.</summary>
    public void AddInitializer(string name, ReadOnlySpan<float> values, params long[] dimensions)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian; this writer copies memory as is.");
        }

        long expected = dimensions.Aggregate(1L, (product, size) => product * size);
        if (expected != values.Length)
        {
            throw new ArgumentException($"Initializer {name} has {values.Length} values but its shape holds {expected}.", nameof(values));
        }

        var tensor = new ProtobufWriter();
        foreach (long dimension in dimensions)
        {
            tensor.WriteInt64(TensorProto.Dims, dimension);
        }

        tensor.WriteInt64(TensorProto.DataType, ElementTypeFloat);
        tensor.WriteString(TensorProto.Name, name);
        tensor.WriteBytes(TensorProto.RawData, MemoryMarshal.AsBytes(values));
        _initializers.Add(tensor.ToArray());
    }

    /// <summary>One operator of the default domain, e.g. <c>Conv</c>, with integer attributes.</summary>
    public void AddNode(string opType, string[] inputs, string output, params OnnxAttribute[] attributes)
    {
        var node = new ProtobufWriter();
        foreach (string input in inputs)
        {
            node.WriteString(NodeProto.Input, input);
        }

        node.WriteString(NodeProto.Output, output);
        node.WriteString(NodeProto.Name, $"{opType}_{_nodes.Count}");
        node.WriteString(NodeProto.OpType, opType);
        foreach (OnnxAttribute attribute in attributes)
        {
            node.WriteMessage(NodeProto.Attribute, attribute.Write);
        }

        _nodes.Add(node.ToArray());
    }

    /// <summary>The serialized <c>ModelProto</c>, ready for <c>new InferenceSession(bytes)</c>.</summary>
    public byte[] ToModel(string graphName)
    {
        var graph = new ProtobufWriter();
        _nodes.ForEach(node => graph.WriteBytes(GraphProto.Node, node));
        graph.WriteString(GraphProto.Name, graphName);
        _initializers.ForEach(initializer => graph.WriteBytes(GraphProto.Initializer, initializer));
        _inputs.ForEach(input => graph.WriteBytes(GraphProto.Input, input));
        _outputs.ForEach(output => graph.WriteBytes(GraphProto.Output, output));

        var model = new ProtobufWriter();
        model.WriteInt64(ModelProto.IrVersion, IrVersion);
        model.WriteString(ModelProto.ProducerName, "CnnGen.Benchmarks");
        model.WriteBytes(ModelProto.Graph, graph.ToArray());
        model.WriteMessage(ModelProto.OpsetImport, opset =>
        {
            opset.WriteString(OperatorSetIdProto.Domain, string.Empty);
            opset.WriteInt64(OperatorSetIdProto.Version, OpsetVersion);
        });
        return model.ToArray();
    }

    private static byte[] ValueInfo(string name, long[] dimensions)
    {
        var valueInfo = new ProtobufWriter();
        valueInfo.WriteString(ValueInfoProto.Name, name);
        valueInfo.WriteMessage(ValueInfoProto.Type, type => type.WriteMessage(TypeProto.TensorType, tensorType =>
        {
            tensorType.WriteInt64(TypeProtoTensor.ElemType, ElementTypeFloat);
            tensorType.WriteMessage(TypeProtoTensor.Shape, shape =>
            {
                foreach (long dimension in dimensions)
                {
                    shape.WriteMessage(TensorShapeProto.Dim, dim => dim.WriteInt64(TensorShapeProtoDimension.DimValue, dimension));
                }
            });
        }));
        return valueInfo.ToArray();
    }

    // Field numbers from onnx.proto.
    private static class ModelProto
    {
        public const int IrVersion = 1, ProducerName = 2, Graph = 7, OpsetImport = 8;
    }

    private static class OperatorSetIdProto
    {
        public const int Domain = 1, Version = 2;
    }

    private static class GraphProto
    {
        public const int Node = 1, Name = 2, Initializer = 5, Input = 11, Output = 12;
    }

    private static class NodeProto
    {
        public const int Input = 1, Output = 2, Name = 3, OpType = 4, Attribute = 5;
    }

    private static class TensorProto
    {
        public const int Dims = 1, DataType = 2, Name = 8, RawData = 9;
    }

    private static class ValueInfoProto
    {
        public const int Name = 1, Type = 2;
    }

    private static class TypeProto
    {
        public const int TensorType = 1;
    }

    private static class TypeProtoTensor
    {
        public const int ElemType = 1, Shape = 2;
    }

    private static class TensorShapeProto
    {
        public const int Dim = 1;
    }

    private static class TensorShapeProtoDimension
    {
        public const int DimValue = 1;
    }
}

/// <summary>An ONNX <c>AttributeProto</c> holding one int, a list of ints or one float.</summary>
internal sealed class OnnxAttribute
{
    // AttributeProto fields and AttributeType values from onnx.proto.
    private const int NameField = 1, FloatField = 2, IntField = 3, IntsField = 8, TypeField = 20;
    private const int TypeFloat = 1, TypeInt = 2, TypeInts = 7;

    private readonly string _name;
    private readonly long[] _values;
    private readonly int _type;
    private readonly float _float;

    private OnnxAttribute(string name, long[] values, int type, float value = 0f) =>
        (_name, _values, _type, _float) = (name, values, type, value);

    public static OnnxAttribute Int(string name, long value) => new(name, [value], TypeInt);

    public static OnnxAttribute Ints(string name, params long[] values) => new(name, values, TypeInts);

    /// <summary>A float attribute, e.g. BatchNormalization's <c>epsilon</c>.</summary>
    public static OnnxAttribute Float(string name, float value) => new(name, [], TypeFloat, value);

    public void Write(ProtobufWriter writer)
    {
        writer.WriteString(NameField, _name);
        switch (_type)
        {
            case TypeInts:
                foreach (long value in _values)
                {
                    writer.WriteInt64(IntsField, value);
                }

                break;
            case TypeFloat:
                writer.WriteFloat(FloatField, _float);
                break;
            default:
                writer.WriteInt64(IntField, _values[0]);
                break;
        }

        writer.WriteInt64(TypeField, _type);
    }
}

/// <summary>
/// The protobuf wire format, write side, for the kinds ONNX needs here: varints (int64, int32,
/// enums), 32-bit floats (fixed32), length-delimited bytes (strings, raw data, nested messages).
/// Repeated scalars are written unpacked, which every parser accepts.
/// </summary>
internal sealed class ProtobufWriter
{
    private const int WireVarint = 0, WireLengthDelimited = 2, WireFixed32 = 5;

    private readonly MemoryStream _stream = new();

    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        WriteVarint(unchecked((ulong)value)); // negative values take ten bytes, as protobuf's int64
    }

    /// <summary>A <c>float</c> field: fixed32, little-endian.</summary>
    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        Span<byte> bytes = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _stream.Write(bytes);
    }

    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    public void WriteBytes(int field, ReadOnlySpan<byte> bytes)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)bytes.Length);
        _stream.Write(bytes);
    }

    /// <summary>A nested message: written to its own buffer first, since its length prefixes it.</summary>
    public void WriteMessage(int field, Action<ProtobufWriter> writeBody)
    {
        var body = new ProtobufWriter();
        writeBody(body);
        WriteBytes(field, body.ToArray());
    }

    public byte[] ToArray() => _stream.ToArray();

    private void WriteTag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _stream.WriteByte((byte)value);
    }
}
