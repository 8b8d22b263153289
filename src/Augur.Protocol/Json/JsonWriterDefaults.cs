using System.Text.Encodings.Web;
using System.Text.Json;

namespace Augur.Protocol.Json;

/// <summary>
/// Writer settings for protocol bodies. The relaxed encoder keeps quotes and non-ASCII text readable in
/// error messages and BYTES outputs; the bodies are served as application/json, never embedded in HTML.
/// </summary>
public static class JsonWriterDefaults
{
    /// <summary>The options every protocol body is written with.</summary>
    public static JsonWriterOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
