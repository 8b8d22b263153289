namespace Augur.Fuzz.Targets;

/// <summary>How far an input went: what stopped it, or the engine's answer.</summary>
internal enum FuzzStage
{
    /// <summary>The bytes are not a message of the door's format (a protobuf parse error); Augur never sees them.</summary>
    NotAMessage,

    /// <summary>The decoder refused the request with an error.</summary>
    RejectedByDecoder,

    /// <summary>The request decoded; the engine refused it (validation) with an error.</summary>
    RejectedByEngine,

    /// <summary>The request decoded and the model answered it.</summary>
    Answered,

    /// <summary>The input decoded, and the target has no step after the decoder.</summary>
    Decoded,
}

/// <summary>The result of one input that broke no property; <see cref="Message"/> is the error, if any.</summary>
internal sealed record FuzzOutcome(FuzzStage Stage, string? Message = null)
{
    public override string ToString() => Message is null ? Stage.ToString() : $"{Stage}: {Message}";
}
