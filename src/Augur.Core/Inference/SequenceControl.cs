namespace Augur.Inference;

/// <summary>
/// Places a request in a stateful sequence (Triton's <c>sequence_id</c>, <c>sequence_start</c> and
/// <c>sequence_end</c> request parameters). Steps of one sequence run in the order they arrive, and the engine keeps
/// the sequence's state between them.
/// </summary>
/// <param name="Id">
/// The sequence's correlation id: an unsigned 64-bit integer in decimal or a string, as the client sent it; never empty.
/// </param>
/// <param name="Start">True on the first step: the engine starts the sequence with fresh state.</param>
/// <param name="End">True on the last step: the engine releases the sequence's state after it runs.</param>
public sealed record SequenceControl(string Id, bool Start = false, bool End = false);
