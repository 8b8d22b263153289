namespace Augur.Fuzz.Engine;

/// <summary>
/// A clock that never moves, so a request's queue time is always zero and its outcome depends on its bytes alone:
/// a timeout of 1 µs must not pass on a fast run and fail on a slow one, or replays and afl-fuzz's stability suffer.
/// </summary>
internal sealed class FrozenClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Epoch;

    public override long GetTimestamp() => 0;
}
