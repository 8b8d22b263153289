using Augur.Errors;
using Augur.Inference;
using Augur.Protocol.Json;
using StackExchange.Redis;

namespace Augur.Streams;

/// <summary>
/// One input entry decoded: its <c>body</c> through the OIP JSON codec (<see cref="InferRequestReader"/>, as the REST
/// endpoint decodes it), with the optional <c>sequence_*</c> fields as the request's sequence.
/// </summary>
internal sealed record StreamMessage(string Id, byte[] Body, DecodedInferRequest? Decoded, InferenceError? Error)
{
    private static readonly JsonCodecOptions Codec = new();

    /// <summary>The sequence id, when the message is a step of a sequence (for ordering within this consumer).</summary>
    public string? SequenceId => Decoded?.Request.Sequence?.Id;

    public static StreamMessage Decode(StreamEntry entry, string model, string? version)
    {
        var id = entry.Id.ToString();
        if (entry.IsNull || entry.Values.Length == 0)
        {
            return new StreamMessage(id, [], null, InferenceError.Invalid("the message has no fields (it was deleted from the stream)"));
        }

        var body = entry[StreamFields.Body];
        if (body.IsNull)
        {
            return new StreamMessage(id, [], null, InferenceError.Invalid($"the message has no '{StreamFields.Body}' field; its fields are: {string.Join(", ", entry.Values.Select(v => v.Name.ToString()))}"));
        }

        var bytes = (byte[])body!;
        if (!InferRequestReader.TryRead(bytes, null, model, version, Codec, out var decoded, out var error))
        {
            return new StreamMessage(id, bytes, null, error);
        }

        if (!TryReadSequence(entry, out var sequence, out error))
        {
            return new StreamMessage(id, bytes, null, error);
        }

        if (sequence is not null)
        {
            decoded = decoded with { Request = decoded.Request.WithSequence(sequence) };
        }

        return new StreamMessage(id, bytes, decoded, null);
    }

    private static bool TryReadSequence(StreamEntry entry, out SequenceControl? sequence, out InferenceError? error)
    {
        sequence = null;
        error = null;
        var id = entry[StreamFields.SequenceId];
        if (!TryFlag(entry, StreamFields.SequenceStart, out var start, ref error) || !TryFlag(entry, StreamFields.SequenceEnd, out var end, ref error))
        {
            return false;
        }

        if (id.IsNullOrEmpty)
        {
            if (start || end)
            {
                error = InferenceError.Invalid($"'{StreamFields.SequenceStart}' and '{StreamFields.SequenceEnd}' need a '{StreamFields.SequenceId}' field");
                return false;
            }

            return true;
        }

        sequence = new SequenceControl(id.ToString(), start, end);
        return true;
    }

    private static bool TryFlag(StreamEntry entry, string name, out bool value, ref InferenceError? error)
    {
        value = false;
        var field = entry[name];
        if (field.IsNull)
        {
            return true;
        }

        switch (field.ToString().ToLowerInvariant())
        {
            case "true" or "1":
                value = true;
                return true;
            case "false" or "0":
                return true;
            default:
                error = InferenceError.Invalid($"field '{name}' must be true, false, 1 or 0, not '{field}'");
                return false;
        }
    }
}
