using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Augur.Batch.Storage;

/// <summary>
/// A run's hold on one shard of a job, from <see cref="PredictionStore.TryAcquireLeaseAsync"/>. While it holds the
/// lease and renews it at least every <see cref="Timeout"/> (by the database's clock), no other run can start the
/// shard; a lease not renewed for longer than that may be taken over, after which this run can commit nothing more.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="Shard">The shard index.</param>
/// <param name="Holder">Who holds it, for people: host name and process id by default.</param>
/// <param name="Token">What makes this run the holder: unique per acquisition, checked by every renewal and commit.</param>
/// <param name="Timeout">How long the lease lives without a heartbeat.</param>
public sealed record ShardLease(string JobId, int Shard, string Holder, string Token, TimeSpan Timeout);

/// <summary>A lease as the store holds it, with its age by the database's clock.</summary>
/// <param name="Holder">Who holds (or held) it.</param>
/// <param name="AcquiredAt">When the holder acquired it (database clock, UTC).</param>
/// <param name="LastBeatAt">The holder's last heartbeat or commit (database clock, UTC).</param>
/// <param name="Timeout">The holder's lease timeout.</param>
/// <param name="SinceLastBeat">How long ago <paramref name="LastBeatAt"/> was when it was read (database clock).</param>
public sealed record ShardLeaseInfo(string Holder, DateTimeOffset AcquiredAt, DateTimeOffset LastBeatAt, TimeSpan Timeout, TimeSpan SinceLastBeat)
{
    /// <summary>True when the holder stopped beating for longer than its timeout: the next run takes the shard over.</summary>
    public bool Expired => SinceLastBeat > Timeout;

    /// <summary>For messages: <c>host:pid, last beat 2026-11-23T10:00:00.1230000Z (1.2 s ago, lease timeout 30 s)</c>.</summary>
    public string Describe() => $"{Holder}, last beat {PredictionStore.Format(LastBeatAt)} ({Seconds(SinceLastBeat)} ago, lease timeout {Seconds(Timeout)})";

    /// <summary>A duration as messages give it: <c>1.2 s</c>, <c>30 s</c>.</summary>
    public static string Seconds(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, duration.TotalSeconds):0.#} s");
}

/// <summary>The outcome of <see cref="PredictionStore.TryAcquireLeaseAsync"/>.</summary>
/// <param name="Lease">The lease, when this run got it.</param>
/// <param name="HeldBy">The live holder, when this run did not get it.</param>
/// <param name="TakenOverFrom">The expired holder this run took the lease from, if there was one.</param>
public sealed record LeaseAcquisition(ShardLease? Lease, ShardLeaseInfo? HeldBy, ShardLeaseInfo? TakenOverFrom)
{
    /// <summary>True when this run holds the lease.</summary>
    [MemberNotNullWhen(true, nameof(Lease))]
    [MemberNotNullWhen(false, nameof(HeldBy))]
    public bool Acquired => Lease is not null;
}
