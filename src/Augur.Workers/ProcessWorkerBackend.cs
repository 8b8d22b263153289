using System.Globalization;
using Augur.Backends;
using Augur.Workers.Supervision;
using Microsoft.Extensions.Logging;

namespace Augur.Workers;

/// <summary>
/// Runs the models whose config.json says <c>"isolation": "process"</c> in worker processes (<c>augur worker</c>), one
/// per instance, on a Unix domain socket: batches go over its batch socket (length-prefixed protobuf), the other calls over
/// gRPC; or, with <c>backend_settings.worker.endpoint</c>, in a worker started elsewhere (a sidecar container). The engine's batcher, validation and stages stay in the server: each call
/// carries one whole batch. See <see cref="WorkerInstance"/> for what happens when a worker dies or hangs.
/// </summary>
public sealed class ProcessWorkerBackend(WorkerOptions options) : IIsolatingBackend
{
    /// <summary>The backend's name in config.json (<c>backend_settings.worker</c>).</summary>
    public const string BackendName = "worker";

    private static int s_sockets;
    private static int s_leftoversRemoved;

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public string Isolation => "process";

    /// <inheritdoc />
    public string Platform => "augur_worker";

    /// <inheritdoc />
    public string ExpectedFiles => "the files of the backend the worker runs";

    /// <inheritdoc />
    public bool CanLoad(string versionDirectory) => false;

    /// <inheritdoc />
    public async ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        var settings = WorkerSettings.Read(context.Settings);
        var connect = options.Connect ?? (endpoint => WorkerConnections.Open(endpoint, settings));
        var logger = context.LoggerFactory.CreateLogger("Augur.Workers");
        Func<WorkerSlot, IWorkerLauncher> launchers;
        if (settings.Endpoint is { } text)
        {
            if (context.Config.InstanceCount > 1)
            {
                throw new FormatException("backend_settings.worker.endpoint names one worker, so instance_count must be 1; run one model per worker endpoint");
            }

            WorkerEndpoint.TryParse(text, out var endpoint, out _);
            launchers = slot => new RemoteWorkerLauncher(slot, endpoint!, connect, context.Time, logger);
        }
        else
        {
            var command = options.Command ?? WorkerProgram.ThisProgram();
            var directory = options.SocketDirectory;
            if (directory is null)
            {
                directory = LeftoverSocketFolders.FolderOf(Path.GetTempPath(), Environment.ProcessId);
                if (Interlocked.Exchange(ref s_leftoversRemoved, 1) == 0)
                {
                    await LeftoverSocketFolders.RemoveAsync(Path.GetTempPath(), logger, cancellationToken).ConfigureAwait(false);
                }
            }

            Directory.CreateDirectory(directory);
            launchers = slot => new SpawnedWorkerLauncher(slot, command, NextSocket(directory), connect, context.Time, logger);
        }

        return await WorkerModel.LoadAsync(context, settings, launchers, cancellationToken).ConfigureAwait(false);
    }

    // Socket paths are short (a Unix socket path has at most 107 bytes) and unique per server process.
    private static string NextSocket(string directory) =>
        Path.Combine(directory, $"w{Interlocked.Increment(ref s_sockets).ToString(CultureInfo.InvariantCulture)}.sock");
}
