using System.Buffers.Binary;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.Tensors;
using Google.Protobuf;

namespace Augur.OnnxRuntime.Onnx;

/// <summary>
/// Builds a small ONNX model in code: graph inputs and outputs, constant initializers and nodes, written
/// as an ONNX <c>ModelProto</c>. The same sequence of calls always produces the same bytes.
/// </summary>
/// <remarks>
/// Nodes must be added in topological order (every input defined before use), as ONNX requires; the
/// builder does not check the graph, ONNX Runtime does when it loads it.
/// </remarks>
public sealed class OnnxGraphBuilder
{
    private const long IrVersion = 8;
    private const string ProducerName = "augur";

    private readonly GraphProto graph;
    private readonly HashSet<string> definedValues = new(StringComparer.Ordinal);
    private readonly HashSet<string> outputNames = new(StringComparer.Ordinal);

    /// <summary>Starts an empty graph named <paramref name="graphName"/> importing the default ONNX domain at <paramref name="opset"/>.</summary>
    public OnnxGraphBuilder(string graphName, int opset = 17)
    {
        ArgumentException.ThrowIfNullOrEmpty(graphName);
        // Opset 13 is where the operators this builder is used with took their current form (e.g. ReduceSum axes as an input).
        ArgumentOutOfRangeException.ThrowIfLessThan(opset, 13);
        graph = new GraphProto { Name = graphName };
        Opset = opset;
    }

    /// <summary>The default-domain opset the model imports.</summary>
    public int Opset { get; }

    /// <summary>Declares a graph input. A dimension of -1 is dynamic: named <c>batch</c> for dimension 0, <c>{name}_d{i}</c> otherwise.</summary>
    public OnnxGraphBuilder AddInput(string name, DataType type, params long[] shape)
    {
        Define(name);
        graph.Input.Add(ValueInfo(name, type, shape));
        return this;
    }

    /// <summary>Declares a graph output, produced by a node or an input of the same name. Dimensions as for <see cref="AddInput"/>.</summary>
    public OnnxGraphBuilder AddOutput(string name, DataType type, params long[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!outputNames.Add(name))
        {
            throw new ArgumentException($"Output '{name}' is already declared.", nameof(name));
        }

        graph.Output.Add(ValueInfo(name, type, shape));
        return this;
    }

    /// <summary>Adds a constant FP32 tensor; returns <paramref name="name"/> for use as a node input. An empty shape is a scalar.</summary>
    public string AddInitializer(string name, float[] values, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        var raw = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        return AddInitializer(name, DataType.Fp32, values.Length, raw, shape);
    }

    /// <summary>Adds a constant FP16 tensor; returns <paramref name="name"/> for use as a node input. An empty shape is a scalar.</summary>
    public string AddInitializer(string name, Half[] values, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        const int HalfSize = 2;
        var raw = new byte[values.Length * HalfSize];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(raw.AsSpan(i * HalfSize), values[i]);
        }

        return AddInitializer(name, DataType.Fp16, values.Length, raw, shape);
    }

    /// <summary>Adds a constant INT64 tensor; returns <paramref name="name"/> for use as a node input. An empty shape is a scalar.</summary>
    public string AddInitializer(string name, long[] values, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        var raw = new byte[values.Length * sizeof(long)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        }

        return AddInitializer(name, DataType.Int64, values.Length, raw, shape);
    }

    /// <summary>Adds a constant INT32 tensor; returns <paramref name="name"/> for use as a node input. An empty shape is a scalar.</summary>
    public string AddInitializer(string name, int[] values, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        var raw = new byte[values.Length * sizeof(int)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(i * sizeof(int)), values[i]);
        }

        return AddInitializer(name, DataType.Int32, values.Length, raw, shape);
    }

    /// <summary>Adds a node of the default ONNX domain, named after its operator and position.</summary>
    public OnnxGraphBuilder AddNode(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(attributes);
        foreach (var output in outputs)
        {
            // An empty name is how ONNX skips an optional output; it defines nothing.
            if (output.Length > 0)
            {
                Define(output);
            }
        }

        var node = new NodeProto { OpType = opType, Name = $"{opType}_{graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes.Select(a => a.ToProto()));
        graph.Node.Add(node);
        return this;
    }

    /// <summary>The serialized ONNX model (IR version 8).</summary>
    public byte[] ToBytes()
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    /// <summary>Writes <see cref="ToBytes"/> to <paramref name="path"/>, creating its directory.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllBytes(path, ToBytes());
    }

    private string AddInitializer(string name, DataType type, int count, byte[] raw, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Define(name);
        long elements = 1;
        foreach (var dim in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim, nameof(shape));
            elements *= dim;
        }

        if (elements != count)
        {
            throw new ArgumentException($"Initializer '{name}' has {count} values but shape [{string.Join(", ", shape)}] holds {elements}.", nameof(shape));
        }

        var tensor = new TensorProto { Name = name, DataType = OnnxElementTypes.From(type), RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(shape);
        graph.Initializer.Add(tensor);
        return name;
    }

    private void Define(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!definedValues.Add(name))
        {
            throw new ArgumentException($"Value '{name}' is already defined in graph '{graph.Name}'.", nameof(name));
        }
    }

    private static ValueInfoProto ValueInfo(string name, DataType type, long[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        var tensorShape = new TensorShapeProto();
        for (var i = 0; i < shape.Length; i++)
        {
            tensorShape.Dim.Add(shape[i] switch
            {
                -1 => new TensorShapeProto.Types.Dimension { DimParam = i == 0 ? "batch" : $"{name}_d{i}" },
                >= 0 => new TensorShapeProto.Types.Dimension { DimValue = shape[i] },
                _ => throw new ArgumentOutOfRangeException(nameof(shape), shape[i], "Dimensions are -1 (dynamic) or non-negative."),
            });
        }

        var tensorType = new TypeProto.Types.Tensor { ElemType = OnnxElementTypes.From(type), Shape = tensorShape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
