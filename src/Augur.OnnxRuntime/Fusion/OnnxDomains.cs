namespace Augur.OnnxRuntime.Fusion;

/// <summary>ONNX names the default domain both <c>""</c> and <c>"ai.onnx"</c>; the fused graph writes <c>""</c>.</summary>
internal static class OnnxDomains
{
    public static string Normalize(string domain) => domain == "ai.onnx" ? "" : domain;

    public static string Display(string domain) => domain.Length == 0 ? "ai.onnx" : domain;
}
