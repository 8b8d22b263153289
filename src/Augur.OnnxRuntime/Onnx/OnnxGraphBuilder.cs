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
/// builder does not check the graph, ONNX Runtime does when it loads it. Operators of other domains
/// (<c>ai.onnx.ml</c>, <c>com.microsoft</c>) need their domain imported first with <see cref="ImportOpset"/>.
/// </remarks>
public sealed class OnnxGraphBuilder
{
    private const long MinimumIrVersion = 8;
    private const string ProducerName = "augur";

    private readonly GraphProto graph;
    private readonly HashSet<string> definedValues = new(StringComparer.Ordinal);
    private readonly HashSet<string> outputNames = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> opsets = new(StringComparer.Ordinal);
    private long irVersion = MinimumIrVersion;

    /// <summary>Starts an empty graph named <paramref name="graphName"/> importing the default ONNX domain at <paramref name="opset"/>.</summary>
    public OnnxGraphBuilder(string graphName, int opset = 17)
    {
        ArgumentException.ThrowIfNullOrEmpty(graphName);
        // Opset 13 is where the operators this builder is used with took their current form (e.g. ReduceSum axes as an input).
        ArgumentOutOfRangeException.ThrowIfLessThan(opset, 13);
        graph = new GraphProto { Name = graphName };
        Opset = opset;
        opsets[""] = opset;
    }

    /// <summary>The default-domain opset the model imports.</summary>
    public int Opset { get; }

    /// <summary>Every operator set the model imports, by domain (<c>""</c> is the default ONNX domain).</summary>
    public IReadOnlyDictionary<string, long> Opsets => opsets;

    /// <summary>
    /// The IR version written: 8 (ONNX Runtime 1.31.1 loads IR 8 models up to opset 26), or higher if
    /// <see cref="RequireIrVersion"/> asked for it.
    /// </summary>
    public long IrVersion => irVersion;

    /// <summary>Imports operator set <paramref name="version"/> of <paramref name="domain"/> (e.g. <c>com.microsoft</c> 1); importing the same version again does nothing.</summary>
    public OnnxGraphBuilder ImportOpset(string domain, long version)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        if (opsets.TryGetValue(domain, out var imported))
        {
            if (imported != version)
            {
                throw new ArgumentException($"Domain '{DomainName(domain)}' is already imported at version {imported}, not {version}.", nameof(version));
            }

            return this;
        }

        opsets[domain] = version;
        return this;
    }

    /// <summary>Writes at least IR version <paramref name="version"/> (e.g. that of a graph merged into this one).</summary>
    public OnnxGraphBuilder RequireIrVersion(long version)
    {
        irVersion = Math.Max(irVersion, version);
        return this;
    }

    /// <summary>Whether <paramref name="name"/> is already an input, initializer or node output of the graph.</summary>
    public bool IsDefined(string name) => definedValues.Contains(name);

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

    /// <summary>Adds a constant string (BYTES) tensor, stored as UTF-8; returns <paramref name="name"/> for use as a node input. An empty shape is a scalar.</summary>
    public string AddInitializer(string name, string[] values, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        var tensor = new TensorProto { Name = name, DataType = OnnxElementTypes.From(DataType.Bytes) };
        tensor.StringData.AddRange(values.Select(v => ByteString.CopyFromUtf8(v ?? throw new ArgumentNullException(nameof(values)))));
        return AddInitializer(tensor, values.Length, shape);
    }

    /// <summary>Adds a node of the default ONNX domain, named after its operator and position.</summary>
    public OnnxGraphBuilder AddNode(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes) =>
        AddNode("", opType, inputs, outputs, attributes);

    /// <summary>Adds a node of operator <paramref name="opType"/> of <paramref name="domain"/>, which must be imported (<see cref="ImportOpset"/>).</summary>
    public OnnxGraphBuilder AddNode(string domain, string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentException.ThrowIfNullOrEmpty(opType);
        if (!opsets.ContainsKey(domain))
        {
            throw new InvalidOperationException($"Operator {opType} is of domain '{domain}', which graph '{graph.Name}' does not import; call ImportOpset first.");
        }

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

        var node = new NodeProto { OpType = opType, Domain = domain, Name = $"{opType}_{graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes.Select(a => a.ToProto()));
        graph.Node.Add(node);
        return this;
    }

    /// <summary>The serialized ONNX model (IR version <see cref="IrVersion"/>).</summary>
    public byte[] ToBytes() => ToModel().ToByteArray();

    /// <summary>The model as an ONNX <c>ModelProto</c>; it shares the builder's graph, so build no further after reading it.</summary>
    internal ModelProto ToModel()
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            Graph = graph,
        };
        foreach (var (domain, version) in opsets)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }

        return model;
    }

    /// <summary>Appends a node as it is (the graph merger's prefixed copy of another graph's node), defining its outputs.</summary>
    internal void AddNode(NodeProto node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!opsets.ContainsKey(node.Domain))
        {
            throw new InvalidOperationException($"Node '{node.Name}' ({node.OpType}) is of domain '{node.Domain}', which graph '{graph.Name}' does not import.");
        }

        foreach (var output in node.Output)
        {
            if (output.Length > 0)
            {
                Define(output);
            }
        }

        graph.Node.Add(node);
    }

    /// <summary>Appends an initializer as it is: its bytes are not copied or converted.</summary>
    internal void AddInitializer(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Define(tensor.Name);
        graph.Initializer.Add(tensor);
    }

    /// <summary>Appends a sparse initializer as it is (named by its <c>values</c> tensor).</summary>
    internal void AddSparseInitializer(SparseTensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Define(tensor.Values?.Name ?? "");
        graph.SparseInitializer.Add(tensor);
    }

    /// <summary>Records the type and shape of an intermediate value, for ONNX Runtime's shape inference.</summary>
    internal void AddValueInfo(ValueInfoProto valueInfo)
    {
        ArgumentNullException.ThrowIfNull(valueInfo);
        graph.ValueInfo.Add(valueInfo);
    }

    /// <summary>Declares a graph output with a type taken from another graph (the graph merger's exposed outputs).</summary>
    internal void AddOutput(ValueInfoProto valueInfo)
    {
        ArgumentNullException.ThrowIfNull(valueInfo);
        ArgumentException.ThrowIfNullOrEmpty(valueInfo.Name);
        if (!outputNames.Add(valueInfo.Name))
        {
            throw new ArgumentException($"Output '{valueInfo.Name}' is already declared.", nameof(valueInfo));
        }

        graph.Output.Add(valueInfo);
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

    private string AddInitializer(string name, DataType type, int count, byte[] raw, long[] shape) =>
        AddInitializer(new TensorProto { Name = name, DataType = OnnxElementTypes.From(type), RawData = ByteString.CopyFrom(raw) }, count, shape);

    private string AddInitializer(TensorProto tensor, int count, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var name = tensor.Name;
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

    private static string DomainName(string domain) => domain.Length == 0 ? "ai.onnx" : domain;

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
