namespace Augur.Models;

/// <summary>
/// A latency objective, e.g. p99 ≤ 15 ms (config.json <c>"latency_objective": {"percentile": 99, "microseconds": 15000}</c>).
/// The dynamic batcher then adapts the batch size to the measured compute time (additive increase while batches
/// finish within budget, multiplicative decrease when one does not) and dispatches a request no later than its
/// objective allows, instead of waiting for peers.
/// </summary>
/// <param name="Percentile">The percentile the objective is stated for, in (0, 100].</param>
/// <param name="Latency">The latency that percentile should stay within.</param>
public sealed record LatencyObjective(double Percentile, TimeSpan Latency);
