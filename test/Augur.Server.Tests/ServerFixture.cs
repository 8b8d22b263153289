using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;
using Augur.Testing;
using Grpc.Net.Client;

namespace Augur.Server.Tests;

/// <summary>
/// One real Kestrel server on 127.0.0.1, port 0, serving a temporary repository built for these tests.
/// Shared by every test class of the "server" collection; the repository folder is deleted on dispose.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    /// <summary>The server's request body limit: small, so the 413 tests send little.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    public const string ServerName = "augur-functional-tests";

    /// <summary>The bound on every await of the suite: HTTP calls, start-up and shutdown.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private TestHost? _host;

    public string Repository { get; } = Path.Combine(Path.GetTempPath(), $"augur-server-tests-{Guid.NewGuid():N}");

    public InferenceEngine Engine => _host!.Engine;

    public HttpClient Client => _host!.Client;

    public Uri BaseAddress => _host!.BaseAddress;

    /// <summary>The gRPC (HTTP/2 cleartext) endpoint, on its own port.</summary>
    public Uri GrpcAddress => _host!.GrpcAddress;

    /// <summary>A gRPC channel to <see cref="GrpcAddress"/>, shared by the gRPC tests.</summary>
    public GrpcChannel Channel => _host!.Channel;

    public async Task InitializeAsync()
    {
        WriteRepository(Repository);
        _host = await TestHost.StartAsync(Repository, options =>
        {
            options.MaxRequestBodyBytes = MaxBodyBytes;
            options.ServerName = ServerName;
        });
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>
    /// fraud (sample), two_inputs (no config.json: the dropped-in folder), identity models of several datatypes,
    /// versioned (1: FP32 [-1,2], 2: FP32 [-1,3], all versions served), broken (garbage model.onnx) and
    /// bad_config (valid model, invalid config.json).
    /// </summary>
    private static void WriteRepository(string repository)
    {
        Directory.CreateDirectory(repository);
        TestModels.WriteModel(repository, "fraud", SampleModels.BuildFraud());
        TestModels.WriteModel(repository, "two_inputs", TestModels.TwoInputs());
        TestModels.WriteModel(repository, "identity_fp32", TestModels.Identity(DataType.Fp32, -1, -1));
        TestModels.WriteModel(repository, "identity_int8", TestModels.Identity(DataType.Int8, -1, 4));
        TestModels.WriteModel(repository, "identity_bool", TestModels.Identity(DataType.Bool, -1, 4));
        TestModels.WriteModel(repository, "identity_fp16", TestModels.Identity(DataType.Fp16, -1, 4));
        TestModels.WriteModel(repository, "identity_bf16", TestModels.Identity(DataType.Bf16, -1, 4));
        TestModels.WriteModel(repository, "identity_uint64", TestModels.Identity(DataType.UInt64, -1, 4));
        TestModels.WriteModel(repository, "identity_bytes", TestModels.Identity(DataType.Bytes, -1));

        TestModels.WriteModel(repository, "versioned", TestModels.Identity(DataType.Fp32, -1, 2), version: 1);
        TestModels.WriteModel(repository, "versioned", TestModels.Identity(DataType.Fp32, -1, 3), version: 2);
        File.WriteAllText(Path.Combine(repository, "versioned", "config.json"), """{"version_policy":{"all":{}}}""");

        var broken = Path.Combine(repository, "broken", "1");
        Directory.CreateDirectory(broken);
        File.WriteAllBytes(Path.Combine(broken, "model.onnx"), Encoding.ASCII.GetBytes("this is not an ONNX model \x01\x02\x03"));

        TestModels.WriteModel(repository, "bad_config", TestModels.Identity(DataType.Fp32, -1, 2));
        File.WriteAllText(Path.Combine(repository, "bad_config", "config.json"), """{"max_batch_size":"lots"}""");
    }

    public Task<Reply> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public Task<Reply> PostAsync(string path, JsonNode body) =>
        PostRawAsync(path, Encoding.UTF8.GetBytes(body.ToJsonString()));

    /// <summary>Posts <paramref name="body"/> as is, with <c>Inference-Header-Content-Length</c> when <paramref name="headerLength"/> is given.</summary>
    public Task<Reply> PostRawAsync(string path, byte[] body, string? headerLength = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(headerLength is null ? "application/json" : "application/octet-stream");
        if (headerLength is not null)
        {
            request.Headers.TryAddWithoutValidation(Reply.HeaderLengthHeader, headerLength);
        }

        return SendAsync(request);
    }

    /// <summary>Posts the JSON <paramref name="header"/> followed by <paramref name="binary"/> (binary tensor data extension).</summary>
    public Task<Reply> PostBinaryAsync(string path, JsonNode header, params byte[][] binary)
    {
        var (body, headerLength) = Bodies.WithBinary(header, binary);
        return PostRawAsync(path, body, headerLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task<Reply> SendAsync(HttpRequestMessage request)
    {
        using (request)
        using (var response = await Client.SendAsync(request))
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            long? headerLength = response.Headers.TryGetValues(Reply.HeaderLengthHeader, out var values) ? long.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture) : null;
            return new Reply((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, headerLength);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
