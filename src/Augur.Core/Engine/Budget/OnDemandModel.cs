namespace Augur.Engine.Budget;

/// <summary>What the engine knows of a model the memory budget keeps unloaded until its next request.</summary>
/// <param name="ExpectedBytes">
/// The memory the model is expected to take once loaded: what it held when it was last unloaded, else the byte size of
/// the version folders its version policy selects.
/// </param>
/// <param name="DefaultTimeout">config.json's <c>default_timeout_microseconds</c>: how long a request without its own timeout waits for the load.</param>
internal sealed record OnDemandModel(long ExpectedBytes, TimeSpan? DefaultTimeout);
