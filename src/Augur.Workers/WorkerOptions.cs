using Augur.Workers.Supervision;

namespace Augur.Workers;

/// <summary>How the server starts and reaches its workers.</summary>
public sealed class WorkerOptions
{
    /// <summary>The program that runs <c>worker …</c>; null (the default) runs this program again (<see cref="WorkerProgram.ThisProgram"/>).</summary>
    public WorkerProgram? Command { get; set; }

    /// <summary>Where the workers' Unix domain sockets are made; null (the default) uses a folder of the temp directory per server process.</summary>
    public string? SocketDirectory { get; set; }

    /// <summary>Opens a connection to a worker; null uses a <c>WorkerClient</c>. Tests replace it to hold calls at known points.</summary>
    internal Func<WorkerEndpoint, IWorkerConnection>? Connect { get; set; }
}
