using Augur.Models;
using Augur.Tensors;
using Google.Protobuf;
using WireDataType = Augur.Workers.Protocol.DataType;
using WireTensor = Augur.Workers.Protocol.Tensor;

namespace Augur.Workers.Wire;

/// <summary>
/// Tensors on the worker protocol: the data travels as it is in <see cref="InferenceTensor.Data"/> (little-endian, BYTES
/// length-prefixed), wrapped without a copy on the way out; the name is the tensor's position in the signature.
/// </summary>
internal static class WireTensors
{
    /// <summary>The wire form of <paramref name="tensor"/>; its data is shared, not copied (tensors are immutable).</summary>
    public static WireTensor ToWire(InferenceTensor tensor)
    {
        var wire = new WireTensor { Datatype = (WireDataType)tensor.DataType, Data = UnsafeByteOperations.UnsafeWrap(tensor.Data) };
        foreach (var dimension in tensor.Shape)
        {
            wire.Shape.Add(dimension);
        }

        return wire;
    }

    /// <summary>
    /// The tensor <paramref name="wire"/> carries, named <paramref name="name"/>; its data is the message's own buffer,
    /// not copied again. Fails, saying why, when the datatype is unknown or the data disagrees with the shape.
    /// </summary>
    public static bool TryFromWire(WireTensor wire, string name, out InferenceTensor tensor, out string? problem)
    {
        var dataType = (DataType)wire.Datatype;
        if (dataType == DataType.Invalid || !Enum.IsDefined(dataType))
        {
            tensor = null!;
            problem = $"tensor '{name}' has no valid datatype ({(int)wire.Datatype})";
            return false;
        }

        var shape = new long[wire.Shape.Count];
        wire.Shape.CopyTo(shape, 0);
        return InferenceTensor.TryFromRaw(name, dataType, shape, wire.Data.Memory, out tensor, out problem);
    }

    /// <summary>The wire form of a signature entry.</summary>
    public static Protocol.TensorSpec ToWire(TensorSpec spec)
    {
        var wire = new Protocol.TensorSpec { Name = spec.Name, Datatype = spec.DataType.Name() };
        wire.Shape.Add(spec.Shape);
        return wire;
    }

    /// <summary>A signature entry read back; fails on an unknown datatype name.</summary>
    public static bool TryFromWire(Protocol.TensorSpec wire, out TensorSpec spec, out string? problem)
    {
        if (!DataTypes.TryParse(wire.Datatype, out var dataType))
        {
            spec = null!;
            problem = $"tensor '{wire.Name}' has an unknown datatype '{wire.Datatype}'";
            return false;
        }

        spec = new TensorSpec(wire.Name, dataType, wire.Shape.ToArray());
        problem = null;
        return true;
    }
}
