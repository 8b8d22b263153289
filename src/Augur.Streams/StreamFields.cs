namespace Augur.Streams;

/// <summary>The field names of input, output and dead-letter entries.</summary>
public static class StreamFields
{
    /// <summary>Input: the OIP JSON infer request. Output: the OIP JSON response (or <c>{"error": ...}</c>). Dead letter: the input's body.</summary>
    public const string Body = "body";

    /// <summary>Input (optional): the sequence's id, for stateful models.</summary>
    public const string SequenceId = "sequence_id";

    /// <summary>Input (optional): "true" or "1" on a sequence's first step.</summary>
    public const string SequenceStart = "sequence_start";

    /// <summary>Input (optional): "true" or "1" on a sequence's last step.</summary>
    public const string SequenceEnd = "sequence_end";

    /// <summary>Output and dead letter: the input message's id.</summary>
    public const string SourceId = "source_id";

    /// <summary>Output and dead letter, on failure: the error code in snake case (e.g. <c>invalid_argument</c>).</summary>
    public const string ErrorCode = "error_code";

    /// <summary>Output and dead letter, on failure: the reason.</summary>
    public const string Error = "error";

    /// <summary>Output, when the request asked for binary outputs: the length of the body's JSON part (binary data follows it).</summary>
    public const string HeaderLength = "header_length";

    /// <summary>Dead letter: how many times the message was delivered.</summary>
    public const string Attempts = "attempts";
}
