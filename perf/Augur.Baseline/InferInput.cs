using System.Text.Json;

namespace Augur.Baseline;

/// <summary>One input of an OIP request; <see cref="Data"/> is a flat array of numbers (of strings for BYTES).</summary>
internal sealed class InferInput
{
    public required string Name { get; init; }

    public required long[] Shape { get; init; }

    public required string Datatype { get; init; }

    public required JsonElement Data { get; init; }
}
