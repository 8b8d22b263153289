using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Augur.Backends;
using Augur.Cli.Commands.Serve;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Pipelines;
using Augur.Workers;
using Augur.Workers.Hosting;
using Microsoft.Extensions.Logging;

namespace Augur.Cli.Commands;

/// <summary>
/// <c>augur worker</c>: load one model version and serve its batches to the engine that started this process, over a
/// Unix socket (the default) or TCP. Once listening it prints one line, <c>Augur worker ready &lt;endpoint&gt;</c>, on
/// stdout; logs go to stderr. SIGTERM or Ctrl+C (and, with <c>--exit-with-stdin</c>, the end of standard input) stop it
/// with exit code 0; a start-up failure is one line on stderr and exit code 2.
/// </summary>
internal static class WorkerCommand
{
    public const string Name = "worker";

    /// <summary>The start of the line printed once the worker listens; the endpoint follows (see <see cref="WorkerEndpoint.TryParse"/>).</summary>
    public const string ReadyLine = "Augur worker ready ";

    private const int StartupFailureCode = 2;

    public static Command Create()
    {
        var modelDir = new Option<string>("--model-dir") { Description = "The model version folder to load, e.g. models/fraud/1.", Required = true };
        var model = new Option<string>("--model") { Description = "The model's name (for errors and logs).", Required = true };
        var version = new Option<long>("--version") { Description = "The model version number.", Required = true };
        var socket = new Option<string?>("--socket") { Description = "Unix socket path to listen on. A stale socket there (left by a killed worker: nobody listens on it) is replaced; a live one or any other file fails the start. Default: a new path in the temp folder (unless --port is given)." };
        var port = new Option<int?>("--port") { Description = "Listen on TCP instead of a Unix socket; 0 picks a free port." };
        var host = new Option<string>("--host") { Description = "Address to listen on with --port. Default 127.0.0.1 (this machine only).", DefaultValueFactory = _ => "127.0.0.1" };
        var backend = new Option<string>("--backend") { Description = $"The backend that loads the model: {OnnxRuntimeBackend.BackendName} (model.onnx) or {PipelineBackend.BackendName} (pipeline.json). Default {OnnxRuntimeBackend.BackendName}.", DefaultValueFactory = _ => OnnxRuntimeBackend.BackendName };
        var config = new Option<string?>("--config") { Description = "The model's config.json (its backend settings apply). Default: none." };
        var exitWithStdin = new Option<bool>("--exit-with-stdin")
        {
            Description = "Stop (exit 0, socket removed) once standard input reaches end of file. The server that starts a worker passes it, with standard input on a pipe it never writes, so the worker ends with its server however the server ends.",
        };
        var threads = CommonOptions.IntraOpThreads();
        var command = new Command(Name, "Serve one model version's batches to an Augur engine over a Unix socket or TCP (an isolated model worker).")
        {
            modelDir, model, version, socket, port, host, backend, config, threads, exitWithStdin,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var problem = Check(parse.GetValue(modelDir)!, parse.GetValue(version), parse.GetValue(threads), out var directory);
            var endpoint = problem is null ? ChooseEndpoint(parse.GetValue(socket), parse.GetValue(port), parse.GetValue(host)!, out problem) : null;
            var modelConfig = ModelConfig.Empty;
            if (problem is null && parse.GetValue(config) is { } configPath)
            {
                problem = ReadConfig(configPath, out modelConfig);
            }

            var chosen = problem is null ? CreateBackend(parse.GetValue(backend)!, parse.GetValue(threads), out problem) : null;
            if (problem is not null)
            {
                return Report(problem);
            }

            using var loggerFactory = LoggerFactory.Create(logging => logging
                .SetMinimumLevel(LogLevel.Warning)
                .AddFilter("Augur.Workers", LogLevel.Information)
                // stdout carries the ready line the parent waits for; everything else goes to stderr.
                .AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.TimestampFormat = "HH:mm:ss ";
                })
                .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));

            using var stopping = parse.GetValue(exitWithStdin)
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, EndOfInput.Watch())
                : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            WorkerHost worker;
            try
            {
                worker = await WorkerHost.StartAsync(chosen!, new WorkerHostOptions
                {
                    ModelDirectory = directory!,
                    ModelName = parse.GetValue(model)!,
                    Version = parse.GetValue(version),
                    Endpoint = endpoint!,
                    Config = modelConfig,
                    LoggerFactory = loggerFactory,
                }, stopping.Token).ConfigureAwait(false);
            }
            catch (WorkerStartupException ex)
            {
                return Report(ex.Message);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Stopped while loading: nothing was served, nothing is left to stop.
                return 0;
            }

            await using (worker.ConfigureAwait(false))
            {
                Console.Out.WriteLine(ReadyLine + worker.Endpoint);
                Console.Out.Flush();
                try
                {
                    await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // SIGTERM, Ctrl+C or (with --exit-with-stdin) the end of standard input: the running batch finishes (or
                    // is cancelled after the drain timeout), then exit 0.
                }
            }

            return 0;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stopping.Cancel();
            }
        });
        return command;
    }

    /// <summary>
    /// A command line for <c>augur worker</c> that does not parse is a start-up failure like any other: one line, exit 2.
    /// Returns null for other commands and for command lines that parse.
    /// </summary>
    public static int? ReportParseErrors(ParseResult parse)
    {
        if (parse.Action is not ParseErrorAction || parse.CommandResult.Command.Name != Name || parse.Errors.Count == 0)
        {
            return null;
        }

        var error = parse.Errors[0];
        var option = error.SymbolResult switch
        {
            OptionResult result => result,
            ArgumentResult { Parent: OptionResult result } => result,
            _ => null,
        };
        return Report(option is { Tokens.Count: > 0 }
            ? $"{option.Option.Name} '{string.Join(' ', option.Tokens.Select(t => t.Value))}': expected {StartupFailure.Expected(option.Option.ValueType)}; see augur worker --help"
            : $"{error.Message.TrimEnd('.')}; see augur worker --help");
    }

    private static string? Check(string modelDir, long version, int threads, out string? directory)
    {
        directory = Path.GetFullPath(modelDir);
        if (!Directory.Exists(directory))
        {
            return $"--model-dir '{modelDir}' does not exist; give a model version folder, such as models/fraud/1";
        }

        if (version < 1)
        {
            return $"--version {version}: a version is a positive whole number";
        }

        return threads is < 1 or > 256 ? $"--intra-op-threads {threads}: must be from 1 to 256" : null;
    }

    private static WorkerEndpoint? ChooseEndpoint(string? socket, int? port, string host, out string? problem)
    {
        problem = null;
        if (socket is not null && port is not null)
        {
            problem = "--socket and --port: give one of them (a Unix socket, or a TCP port)";
            return null;
        }

        if (port is { } tcp)
        {
            if (tcp is < 0 or > IPEndPoint.MaxPort)
            {
                problem = $"--port {tcp}: a port is from 0 to {IPEndPoint.MaxPort} (0 picks a free one)";
                return null;
            }

            var address = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : null;
            if (address is null)
            {
                problem = $"--host '{host}' is not an IP address; give one, such as 127.0.0.1";
                return null;
            }

            return WorkerEndpoint.Tcp(address, tcp);
        }

        var path = Path.GetFullPath(socket ?? Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"augur-worker-{Environment.ProcessId}.sock")));
        problem = WorkerEndpoint.CheckSocketPath(path) is { } tooLong ? $"--socket: {tooLong}" : null;
        return problem is null ? WorkerEndpoint.UnixSocket(path) : null;
    }

    private static string? ReadConfig(string path, out ModelConfig config)
    {
        config = ModelConfig.Empty;
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex is FileNotFoundException or DirectoryNotFoundException
                ? $"--config '{path}' does not exist"
                : $"--config '{path}' cannot be read: {ex.Message}";
        }

        return ModelConfigReader.TryParse(json, out config, out var problem) ? null : $"--config '{path}': {problem}";
    }

    private static IModelBackend? CreateBackend(string name, int intraOpThreads, out string? problem)
    {
        // A worker holds one model version: there is no other model to share weights with, and sharing would keep a
        // copy of every large initializer beside ONNX Runtime's pre-packed one (a model's config.json may still ask).
        var onnxRuntime = new OnnxRuntimeBackend(new OnnxRuntimeOptions { IntraOpThreads = intraOpThreads, ShareWeights = false });
        problem = null;
        switch (name)
        {
            case OnnxRuntimeBackend.BackendName:
                return onnxRuntime;
            case PipelineBackend.BackendName:
                return new PipelineBackend(onnxRuntime);
            default:
                problem = $"--backend '{name}' is not a backend this worker has; known: {OnnxRuntimeBackend.BackendName}, {PipelineBackend.BackendName}";
                return null;
        }
    }

    private static int Report(string problem)
    {
        // Messages quoted from elsewhere (a model loader, a JSON reader) may hold line breaks; the report is one line.
        var line = string.Join(' ', problem.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Console.Error.WriteLine($"augur worker: {line}");
        return StartupFailureCode;
    }
}
