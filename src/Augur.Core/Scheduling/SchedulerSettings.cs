using Augur.Models;

namespace Augur.Scheduling;

/// <summary>
/// What the scheduler of one model version needs to know about it. <see cref="ServerTimeout"/> is how long a request
/// may wait in the queue when neither it nor the model says (the host's default); null for no limit.
/// <see cref="ComputeThreadFrom"/> is how long an instance's runs must block their caller, on average, for its batches to
/// run on a thread of its own (<see cref="InstanceThreads"/>); null keeps every run on the thread that dispatched it.
/// </summary>
internal sealed record SchedulerSettings(string Model, string Version, ModelSignature Signature, int MaxBatchSize, DynamicBatchingConfig Batching, TimeSpan? ServerTimeout = null, TimeSpan? ComputeThreadFrom = null);
