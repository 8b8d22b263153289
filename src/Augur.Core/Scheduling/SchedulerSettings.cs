using Augur.Models;

namespace Augur.Scheduling;

/// <summary>What the scheduler of one model version needs to know about it.</summary>
internal sealed record SchedulerSettings(string Model, string Version, ModelSignature Signature, int MaxBatchSize, DynamicBatchingConfig Batching);
