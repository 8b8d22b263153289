using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Augur.Models;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Bench.Targets;

/// <summary>
/// Any Open Inference Protocol REST server (Augur, the naive baseline, Triton, KServe): POST
/// {url}/v2/models/{m}/infer, in JSON or with the binary tensor data extension. One shared <see cref="HttpClient"/>
/// whose pool holds up to <c>connections</c> connections that are never recycled, so no run pays for new connections mid-way.
/// </summary>
public sealed class HttpTarget : IBenchTarget, ISequenceQueries, IPredictionKeyQueries, IMultiModelTarget
{
    /// <summary>A request not answered within this time counts as an error, so a run always ends.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private const string HeaderLengthHeader = "Inference-Header-Content-Length";
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    private readonly HttpClient _client;
    private readonly bool _ownsClient;
    private readonly Uri _baseAddress;
    private readonly Uri _modelUri;
    private readonly Uri _inferUri;
    private readonly bool _binary;

    /// <summary>Creates the target; <paramref name="binary"/> sends tensors with the binary tensor data extension instead of JSON.</summary>
    public HttpTarget(Uri baseAddress, string model, string? version, bool binary, int connections)
        : this(baseAddress, model, version, binary, CreateClient(connections), ownsClient: true)
    {
    }

    private HttpTarget(Uri baseAddress, string model, string? version, bool binary, HttpClient client, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _baseAddress = baseAddress;
        _client = client;
        _ownsClient = ownsClient;
        var path = $"{baseAddress.ToString().TrimEnd('/')}/v2/models/{Uri.EscapeDataString(model)}"
            + (version is null ? string.Empty : $"/versions/{Uri.EscapeDataString(version)}");
        _modelUri = new Uri(path);
        _inferUri = new Uri(path + "/infer");
        _binary = binary;
        Name = baseAddress.ToString().TrimEnd('/');
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async Task<(IReadOnlyList<TensorSpec>? Inputs, string? Error)> GetInputsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _client.GetAsync(_modelUri, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"GET {_modelUri}: {(int)response.StatusCode}: {body}");
            }

            var inputs = MetadataReader.ReadInputs(body);
            return (inputs, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, $"GET {_modelUri}: {ex.Message}");
        }
    }

    /// <inheritdoc />
    public object Prepare(IReadOnlyList<InferenceTensor> inputs)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                writer.WriteStartObject();
                writer.WriteString("name", input.Name);
                writer.WriteStartArray("shape");
                foreach (var dimension in input.Shape)
                {
                    writer.WriteNumberValue(dimension);
                }

                writer.WriteEndArray();
                writer.WriteString("datatype", input.DataType.Name());
                if (_binary)
                {
                    writer.WriteStartObject("parameters");
                    writer.WriteNumber("binary_data_size", input.Data.Length);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WritePropertyName("data");
                    TensorJsonWriter.WriteData(writer, input);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        if (!_binary)
        {
            return new HttpQuery(buffer.WrittenSpan.ToArray(), null);
        }

        var headerLength = buffer.WrittenCount;
        foreach (var input in inputs)
        {
            buffer.Write(input.Data.Span);
        }

        return new HttpQuery(buffer.WrittenSpan.ToArray(), headerLength.ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public object PrepareRequestBody(byte[] body) => new HttpQuery(body, null);

    /// <inheritdoc />
    /// <remarks>The source comes from the answer's JSON (its JSON part, with the binary tensor data extension).</remarks>
    public async ValueTask<QueryOutcome> SendAsync(object query, CancellationToken cancellationToken)
    {
        var prepared = (HttpQuery)query;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _inferUri) { Content = new ByteArrayContent(prepared.Body) };
            request.Content.Headers.ContentType = prepared.HeaderLength is null ? JsonType : OctetStream;
            if (prepared.HeaderLength is not null)
            {
                request.Headers.TryAddWithoutValidation(HeaderLengthHeader, prepared.HeaderLength);
            }

            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var status = StatusClasses.Http((int)response.StatusCode);
            if (!response.IsSuccessStatusCode)
            {
                var retryAfter = response.Headers.RetryAfter is { } after ? $" (Retry-After: {after})" : string.Empty;
                return QueryOutcome.Failed(status, $"HTTP {status}{retryAfter}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return QueryOutcome.Answered(status, PredictionSourceReader.Read(JsonPart(response, body)));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            // No answer: a refused or reset connection, or the client's timeout (HttpClient reports it as TaskCanceledException).
            return QueryOutcome.Failed(StatusClasses.Transport, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <inheritdoc />
    /// <remarks>Adds a top-level <c>parameters</c> object, so the query must not have one (a synthesized query never does).</remarks>
    public object WithSequenceId(object query, string sequenceId) => WithParameter((HttpQuery)query, "sequence_id", sequenceId);

    /// <inheritdoc />
    /// <remarks>Adds a top-level <c>parameters</c> object, so the query must not have one (a synthesized query never does).</remarks>
    public object WithPredictionKey(object query, string key) => WithParameter((HttpQuery)query, "prediction_key", key);

    /// <summary>The body of <paramref name="prepared"/> with <c>"parameters":{name: value}</c> inserted first.</summary>
    private static HttpQuery WithParameter(HttpQuery prepared, string name, string value)
    {
        var prefix = System.Text.Encoding.UTF8.GetBytes($"{{\"parameters\":{{{JsonSerializer.Serialize(name)}:{JsonSerializer.Serialize(value)}}},");
        if (prepared.Body.Length < 2 || prepared.Body[0] != (byte)'{')
        {
            throw new InvalidDataException("the request body is not a JSON object");
        }

        var body = new byte[prefix.Length + prepared.Body.Length - 1];
        prefix.CopyTo(body, 0);
        prepared.Body.AsSpan(1).CopyTo(body.AsSpan(prefix.Length));
        var headerLength = prepared.HeaderLength is null ? null : (long.Parse(prepared.HeaderLength, CultureInfo.InvariantCulture) + prefix.Length - 1).ToString(CultureInfo.InvariantCulture);
        return new HttpQuery(body, headerLength);
    }

    /// <summary>The JSON part of an answer: all of it, or its first Inference-Header-Content-Length bytes.</summary>
    private static ReadOnlySpan<byte> JsonPart(HttpResponseMessage response, byte[] body) =>
        response.Headers.TryGetValues(HeaderLengthHeader, out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
        && length <= body.Length
            ? body.AsSpan(0, length)
            : body;

    /// <inheritdoc />
    /// <remarks>The same connection pool, and the same version or none: the model's latest.</remarks>
    public IBenchTarget ForModel(string model) => new HttpTarget(_baseAddress, model, null, _binary, _client, ownsClient: false);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static HttpClient CreateClient(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        // A proxy from the environment would be measured along with the server.
        UseProxy = false,
    })
    {
        Timeout = RequestTimeout,
    };

    private sealed record HttpQuery(byte[] Body, string? HeaderLength);
}
