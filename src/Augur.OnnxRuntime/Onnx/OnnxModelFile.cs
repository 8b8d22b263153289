using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Onnx.Proto;

namespace Augur.OnnxRuntime.Onnx;

/// <summary>Parses a model.onnx file (or a pipeline step's graph) once per load, for every check and step that reads the graph.</summary>
internal static class OnnxModelFile
{
    public static bool TryParse(ReadOnlySpan<byte> modelBytes, [NotNullWhen(true)] out ModelProto? model, [NotNullWhen(false)] out string? problem, string fileName = "model.onnx")
    {
        try
        {
            model = ModelProto.Parser.ParseFrom(modelBytes);
            problem = null;
            return true;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            model = null;
            problem = $"{fileName} is not a valid ONNX model (truncated or not protobuf): {ex.Message}";
            return false;
        }
    }
}
