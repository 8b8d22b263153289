namespace Augur.Workers.Supervision;

/// <summary>Brings one worker up: starts its process (or reaches one started elsewhere) and connects to it.</summary>
internal interface IWorkerLauncher
{
    /// <summary>What the worker is, for messages: <c>worker 0 of model 'fraud' version 1</c>.</summary>
    string Describe { get; }

    /// <summary>A connected worker; throws with the reason when it cannot be brought up.</summary>
    Task<LiveWorker> LaunchAsync(CancellationToken cancellationToken);
}
