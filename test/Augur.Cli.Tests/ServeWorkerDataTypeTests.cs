using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Augur.Server.Tests;
using Augur.Tensors;
using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary>
/// Every datatype through a real <c>augur serve</c>'s REST door, in process and in a worker process: one model with an
/// Identity per datatype (<see cref="TestModels.IdentityOfEach"/>), served twice, as <c>local</c> and as <c>isolated</c>
/// (<c>"isolation": "process"</c>). The same request to both answers the same outputs, byte for byte, and they are the
/// inputs. One model holding every datatype runs one worker rather than fourteen, and puts every datatype in one batch.
/// </summary>
public sealed class ServeWorkerDataTypeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-datatypes-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [Fact]
    public async Task Json_and_binary_requests_of_every_datatype_get_the_same_bytes_back_from_a_worker_as_in_process()
    {
        var model = TestModels.IdentityOfEach(DataTypes.All, -1, 4);
        TestModels.WriteModel(_repository, "local", model);
        File.WriteAllText(Path.Combine(_repository, "local", "config.json"), """{"max_batch_size": 8, "instance_count": 1}""");
        TestModels.WriteModel(_repository, "isolated", model);
        File.WriteAllText(Path.Combine(_repository, "isolated", "config.json"), """{"max_batch_size": 8, "instance_count": 1, "isolation": "process"}""");
        using var server = AugurProcess.Start("serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0");
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = Timeout };

        var jsonLocal = await PostJsonAsync(client, "local");
        var jsonIsolated = await PostJsonAsync(client, "isolated");
        var binaryLocal = await PostBinaryAsync(client, "local");
        var binaryIsolated = await PostBinaryAsync(client, "isolated");

        // The isolated model really ran in its worker: the server's one child process, whose memory /metrics reports.
        WorkerProcesses.SingleOf(server.Id);
        Assert.True(ServerMetrics.Value(await ServerMetrics.ReadAsync(client), "augur_worker_memory_bytes{", "model=\"isolated\"") > 0, "no augur_worker_memory_bytes series for the isolated model");

        Assert.Equal(RawOutputs(jsonLocal), RawOutputs(jsonIsolated));
        Assert.Equal(RawOutputs(binaryLocal), RawOutputs(binaryIsolated));
        Assert.Equal(binaryLocal.Binary, binaryIsolated.Binary);
        foreach (var reply in new[] { jsonLocal, jsonIsolated })
        {
            foreach (var type in DataTypes.All)
            {
                var output = OutputOf(reply, type);
                var sent = JsonNode.Parse(DataTypeSamples.Json(type).ToJsonString())!;   // as the server read it: parsed text
                Assert.Equal(Bodies.FromJsonData(type, sent), Bodies.FromJsonData(type, output["data"]!));
            }
        }

        foreach (var reply in new[] { binaryLocal, binaryIsolated })
        {
            var offset = 0;
            foreach (var type in DataTypes.All)
            {
                var size = (int)OutputOf(reply, type)["parameters"]!["binary_data_size"]!.GetValue<long>();
                Assert.Equal(DataTypeSamples.Binary(type), reply.Binary.AsSpan(offset, size).ToArray());
                offset += size;
            }

            Assert.Equal(reply.Binary.Length, offset);
        }
    }

    private static Task<Reply> PostJsonAsync(HttpClient client, string model)
    {
        var body = Bodies.Request(DataTypes.All.Select(t => Bodies.Input(TestModels.IdentityName("input", t), t.Name(), DataTypeSamples.Shape, DataTypeSamples.Json(t))).ToArray());
        return PostAsync(client, model, Encoding.UTF8.GetBytes(body.ToJsonString()), headerLength: null);
    }

    private static Task<Reply> PostBinaryAsync(HttpClient client, string model)
    {
        var header = Bodies.Request(DataTypes.All.Select(t => Bodies.BinaryInput(TestModels.IdentityName("input", t), t.Name(), DataTypeSamples.Shape, DataTypeSamples.Binary(t).Length)).ToArray());
        header["parameters"] = new JsonObject { ["binary_data_output"] = true };
        var (body, headerLength) = Bodies.WithBinary(header, DataTypes.All.Select(DataTypeSamples.Binary).ToArray());
        return PostAsync(client, model, body, headerLength);
    }

    private static async Task<Reply> PostAsync(HttpClient client, string model, byte[] body, int? headerLength)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v2/models/{model}/infer", UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(headerLength is null ? "application/json" : "application/octet-stream");
        if (headerLength is { } length)
        {
            request.Headers.TryAddWithoutValidation(Reply.HeaderLengthHeader, length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var response = await client.SendAsync(request).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        long? replyHeaderLength = response.Headers.TryGetValues(Reply.HeaderLengthHeader, out var values) ? long.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture) : null;
        var reply = new Reply((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, bytes, replyHeaderLength);
        Assert.True(reply.Status == 200, $"{model}: {reply}");
        Assert.Equal(headerLength is null ? "application/json" : "application/octet-stream", reply.MediaType);
        return reply;
    }

    /// <summary>The <c>outputs</c> array exactly as the server wrote it (the raw JSON text, not a re-serialisation).</summary>
    private static string RawOutputs(Reply reply)
    {
        using var json = JsonDocument.Parse(reply.Body.AsMemory(0, (int)(reply.HeaderLength ?? reply.Body.Length)));
        return json.RootElement.GetProperty("outputs").GetRawText();
    }

    /// <summary>The output of <paramref name="type"/>, checked for its datatype and shape.</summary>
    private static JsonObject OutputOf(Reply reply, DataType type)
    {
        var output = reply.Output(TestModels.IdentityName("output", type));
        Assert.Equal(type.Name(), output["datatype"]!.GetValue<string>());
        Assert.Equal(DataTypeSamples.Shape, Bodies.ReadShape(output));
        return output;
    }
}
