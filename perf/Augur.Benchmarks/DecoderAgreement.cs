using System.Text;
using System.Text.Json.Nodes;
using Augur.Benchmarks.Baseline;
using Augur.Errors;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Benchmarks;

/// <summary>
/// Checks that the one-pass request decoder answers exactly as the JSON-document decoder it replaced: the same
/// request or the same error message, over JSON files, their members shuffled, and byte-level mutations of them.
/// <c>dotnet run -c Release --project perf/Augur.Benchmarks -- agree fuzz/corpus/json [MUTATIONS]</c>.
/// </summary>
internal static class DecoderAgreement
{
    public static int Run(string folder, int mutations)
    {
        var seeds = Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes)
            .Concat(DecodeInferRequestBenchmarks.Bodies.Values).ToList();
        var random = new Random(16);
        var (checkedCount, failures, decoded) = (0, 0, 0);
        var messages = new HashSet<string>(StringComparer.Ordinal);
        foreach (var seed in seeds)
        {
            foreach (var body in Variants(seed, random, mutations))
            {
                checkedCount++;
                var difference = Compare(body, out var outcome);
                if (outcome is null)
                {
                    decoded++;
                }
                else
                {
                    messages.Add(outcome);
                }

                if (difference is not null)
                {
                    failures++;
                    if (failures <= 20)
                    {
                        Console.WriteLine($"DIFFERENT: {difference}\n  body: {Encoding.UTF8.GetString(body)}");
                    }
                }
            }
        }

        Console.WriteLine($"{checkedCount} bodies ({decoded} decoded, the rest refused with {messages.Count} distinct messages), {failures} answered differently");
        return failures == 0 ? 0 : 1;
    }

    private static IEnumerable<byte[]> Variants(byte[] seed, Random random, int mutations)
    {
        yield return seed;
        for (var i = 0; i < 20; i++)
        {
            if (Shuffled(seed, random) is { } shuffled)
            {
                yield return shuffled;
            }
        }

        const string Tokens = "[]{},:\"0-1.e\\ atnu";
        for (var i = 0; i < mutations; i++)
        {
            var body = seed.ToList();
            for (var edits = random.Next(1, 4); edits > 0 && body.Count > 0; edits--)
            {
                var at = random.Next(body.Count);
                switch (random.Next(3))
                {
                    case 0: body.RemoveAt(at); break;
                    case 1: body.Insert(at, (byte)Tokens[random.Next(Tokens.Length)]); break;
                    default: body[at] = (byte)Tokens[random.Next(Tokens.Length)]; break;
                }
            }

            yield return [.. body];
        }
    }

    // The same JSON with the members of every object in a random order (and some repeated, the first copy a decoy).
    private static byte[]? Shuffled(byte[] seed, Random random)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(seed);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        var text = new StringBuilder();
        Write(node, text, random);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void Write(JsonNode? node, StringBuilder text, Random random)
    {
        switch (node)
        {
            case JsonObject obj:
                var members = obj.ToList();
                random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(members));
                text.Append('{');
                var first = true;
                foreach (var (name, value) in members)
                {
                    if (random.Next(8) == 0)
                    {
                        // A decoy that the later copy overrides.
                        text.Append(first ? "" : ",").Append(System.Text.Json.JsonSerializer.Serialize(name)).Append(":\"decoy\"");
                        first = false;
                    }

                    text.Append(first ? "" : ",").Append(System.Text.Json.JsonSerializer.Serialize(name)).Append(':');
                    Write(value, text, random);
                    first = false;
                }

                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    text.Append(i == 0 ? "" : ",");
                    Write(array[i], text, random);
                }

                text.Append(']');
                break;
            default:
                text.Append(node is null ? "null" : node.ToJsonString());
                break;
        }
    }

    private static string? Compare(byte[] body, out string? outcome)
    {
        outcome = null;
        var options = new JsonCodecOptions();
        var oldOk = Try(() => JsonDocumentRequestReader.TryRead(body, null, "m", null, options, out var d, out var e) ? (d, e) : (null, e), out var oldDecoded, out var oldError, out var oldThrew);
        var newOk = Try(() => InferRequestReader.TryRead(body, null, "m", null, options, out var d, out var e) ? (d, e) : (null, e), out var newDecoded, out var newError, out var newThrew);
        if (oldThrew is not null || newThrew is not null)
        {
            outcome = oldThrew?.GetType().Name ?? newThrew?.GetType().Name;
            return oldThrew?.GetType() == newThrew?.GetType() ? null : $"threw: old {oldThrew?.GetType().Name}, new {newThrew?.GetType().Name}";
        }

        if (oldOk != newOk)
        {
            return $"old {(oldOk ? "decoded" : oldError!.Message)} | new {(newOk ? "decoded" : newError!.Message)}";
        }

        if (!oldOk)
        {
            outcome = oldError!.Message;
            return oldError!.Message == newError!.Message && oldError.Code == newError.Code ? null : $"old '{oldError.Message}' | new '{newError.Message}'";
        }

        return Describe(oldDecoded!) == Describe(newDecoded!) ? null : $"old {Describe(oldDecoded!)} | new {Describe(newDecoded!)}";
    }

    private static bool Try(Func<(DecodedInferRequest? Decoded, InferenceError? Error)> read, out DecodedInferRequest? decoded, out InferenceError? error, out Exception? threw)
    {
        (decoded, error, threw) = (null, null, null);
        try
        {
            (decoded, error) = read();
            return decoded is not null;
        }
        catch (Exception ex)
        {
            threw = ex;
            return false;
        }
    }

    private static string Describe(DecodedInferRequest decoded)
    {
        var r = decoded.Request;
        var text = new StringBuilder($"id={r.Id} p={r.Priority} t={r.Timeout} s={r.Sequence} k={r.PredictionKey} out=[{string.Join(",", r.RequestedOutputs ?? [])}] bin=[{string.Join(",", decoded.BinaryOutputs.Select(b => $"{b.Key}:{b.Value}"))}]");
        foreach (var input in r.Inputs)
        {
            text.Append($" {input.Name}:{input.DataType.Name()}{TensorShape.Format(input.Shape)}={Convert.ToHexString(input.Data.Span)}");
        }

        return text.ToString();
    }
}
