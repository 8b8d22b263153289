using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Augur.Workers.Supervision;

/// <summary>Starts <c>augur worker</c> for one instance of a model version on its own Unix domain socket.</summary>
internal sealed class SpawnedWorkerLauncher(WorkerSlot slot, WorkerProgram command, string socketPath, Func<WorkerEndpoint, IWorkerConnection> connect, TimeProvider time, ILogger logger) : IWorkerLauncher
{
    public string Describe => slot.Describe;

    public async Task<LiveWorker> LaunchAsync(CancellationToken cancellationToken)
    {
        // A killed worker leaves its socket files; the new worker would replace them, after checking nobody listens.
        File.Delete(socketPath);
        File.Delete(Wire.BatchFrame.SocketPathFor(socketPath));
        var process = await WorkerProcess.StartAsync(command, Arguments(), slot.Settings.StartTimeout, logger, cancellationToken).ConfigureAwait(false);
        var endpoint = WorkerEndpoint.UnixSocket(socketPath);
        WorkerLog.Started(logger, slot.Model, slot.Version, slot.Index, process.Id, endpoint.ToString());
        return new LiveWorker(process, connect(endpoint), time.GetTimestamp());
    }

    private List<string> Arguments()
    {
        var arguments = new List<string>
        {
            "worker",
            "--model-dir", slot.VersionDirectory,
            "--model", slot.Model,
            "--version", slot.Version.ToString(CultureInfo.InvariantCulture),
            "--socket", socketPath,
            "--backend", slot.Backend,
            // Its standard input is a pipe this server never writes (WorkerProcess): the worker ends when the server does.
            "--exit-with-stdin",
        };
        var config = Path.Combine(Path.GetDirectoryName(slot.VersionDirectory)!, Augur.Models.ModelConfigReader.FileName);
        if (File.Exists(config))
        {
            arguments.AddRange(["--config", config]);
        }

        return arguments;
    }
}
