using System.Text;
using Augur.OnnxRuntime.Onnx.Proto;
using Google.Protobuf;

namespace Augur.OnnxRuntime.Onnx;

/// <summary>A node attribute for <see cref="OnnxGraphBuilder.AddNode(string, string[], string[], OnnxAttribute[])"/>, e.g. a Conv's <c>pads</c> or a Cast's <c>to</c>.</summary>
public sealed class OnnxAttribute
{
    private readonly AttributeProto proto;

    private OnnxAttribute(AttributeProto proto) => this.proto = proto;

    /// <summary>The attribute's name.</summary>
    public string Name => proto.Name;

    /// <summary>A 64-bit integer attribute.</summary>
    public static OnnxAttribute Int(string name, long value) =>
        new(Create(name, AttributeProto.Types.AttributeType.Int, a => a.I = value));

    /// <summary>A single-precision float attribute.</summary>
    public static OnnxAttribute Float(string name, float value) =>
        new(Create(name, AttributeProto.Types.AttributeType.Float, a => a.F = value));

    /// <summary>A list of 64-bit integers, e.g. <c>kernel_shape</c>.</summary>
    public static OnnxAttribute Ints(string name, params long[] values) =>
        new(Create(name, AttributeProto.Types.AttributeType.Ints, a => a.Ints.AddRange(values)));

    /// <summary>A list of single-precision floats.</summary>
    public static OnnxAttribute Floats(string name, params float[] values) =>
        new(Create(name, AttributeProto.Types.AttributeType.Floats, a => a.Floats.AddRange(values)));

    /// <summary>A string attribute, stored as UTF-8.</summary>
    public static OnnxAttribute String(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(Create(name, AttributeProto.Types.AttributeType.String, a => a.S = ByteString.CopyFrom(value, Encoding.UTF8)));
    }

    /// <summary>A list of strings, each stored as UTF-8, e.g. a Tokenizer's <c>separators</c>.</summary>
    public static OnnxAttribute Strings(string name, params string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(Create(name, AttributeProto.Types.AttributeType.Strings,
            a => a.Strings.AddRange(values.Select(v => ByteString.CopyFrom(v ?? throw new ArgumentNullException(nameof(values)), Encoding.UTF8)))));
    }

    internal AttributeProto ToProto() => proto.Clone();

    private static AttributeProto Create(string name, AttributeProto.Types.AttributeType type, Action<AttributeProto> set)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var attribute = new AttributeProto { Name = name, Type = type };
        set(attribute);
        return attribute;
    }
}
