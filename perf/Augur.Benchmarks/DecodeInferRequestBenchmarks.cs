using System.Globalization;
using System.Text;
using Augur.Benchmarks.Baseline;
using Augur.Protocol.Json;
using BenchmarkDotNet.Attributes;

namespace Augur.Benchmarks;

/// <summary>
/// Decoding a REST infer request body: the one-pass <see cref="InferRequestReader"/> against the JSON-document decoder
/// it replaced (<see cref="JsonDocumentRequestReader"/>, the baseline), on the sample models' requests: fraud (FP32
/// [2, 8], nested, as in the README) and ranker (FP32 [8, 256], its config's max batch being 64; flat and nested).
/// <c>dotnet run -c Release --project perf/Augur.Benchmarks -- --filter '*DecodeInferRequest*' --job short</c>
/// </summary>
[MemoryDiagnoser]
public class DecodeInferRequestBenchmarks
{
    private static readonly JsonCodecOptions Options = new();

    /// <summary>The bodies measured, by name.</summary>
    public static IReadOnlyDictionary<string, byte[]> Bodies { get; } = new Dictionary<string, byte[]>
    {
        ["fraud 2x8 nested"] = Request("tx-42", "features", 2, 8, nested: true, seed: 1),
        ["ranker 8x256 flat"] = Request("q-7", "features", 8, 256, nested: false, seed: 2),
        ["ranker 8x256 nested"] = Request("q-7", "features", 8, 256, nested: true, seed: 3),
    };

    private byte[] body = [];

    /// <summary>Which request body.</summary>
    [ParamsSource(nameof(Names))]
    public string Case { get; set; } = "";

    /// <summary>The names of <see cref="Bodies"/>.</summary>
    public static IEnumerable<string> Names => Bodies.Keys;

    /// <summary>Picks the body and checks that both decoders accept it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        body = Bodies[Case];
        if (!JsonDocumentRequestReader.TryRead(body, null, "m", null, Options, out _, out var error)
            || !InferRequestReader.TryRead(body, null, "m", null, Options, out _, out error))
        {
            throw new InvalidOperationException($"{Case}: {error}");
        }
    }

    /// <summary>The JSON-document decoder.</summary>
    [Benchmark(Baseline = true)]
    public DecodedInferRequest JsonDocument()
    {
        JsonDocumentRequestReader.TryRead(body, null, "m", null, Options, out var decoded, out _);
        return decoded;
    }

    /// <summary>The one-pass decoder.</summary>
    [Benchmark]
    public DecodedInferRequest OnePass()
    {
        InferRequestReader.TryRead(body, null, "m", null, Options, out var decoded, out _);
        return decoded;
    }

    private static byte[] Request(string id, string input, int rows, int columns, bool nested, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder($$"""{"id":"{{id}}","inputs":[{"name":"{{input}}","shape":[{{rows}},{{columns}}],"datatype":"FP32","data":[""");
        for (var r = 0; r < rows; r++)
        {
            text.Append(r > 0 ? "," : "").Append(nested ? "[" : "");
            for (var c = 0; c < columns; c++)
            {
                // Features as clients send them: float32 values printed in full.
                text.Append(c > 0 ? "," : "").Append(((float)(random.NextDouble() * 2 - 1)).ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append(nested ? "]" : "");
        }

        text.Append("]}]}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
