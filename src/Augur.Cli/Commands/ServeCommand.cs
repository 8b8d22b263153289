using System.CommandLine;
using System.CommandLine.Invocation;
using Augur.Cli.Commands.Serve;
using Augur.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Augur.Cli.Commands;

/// <summary><c>augur serve</c>: load a model repository and serve it over REST and gRPC until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public const string Name = "serve";

    public static Command Create()
    {
        var repository = CommonOptions.ModelRepository();
        var port = new Option<int>("--http-port") { Description = "HTTP port; 0 picks a free port. Default 8000.", DefaultValueFactory = _ => 8000 };
        var grpcPort = new Option<int>("--grpc-port") { Description = "gRPC port (HTTP/2 cleartext); 0 picks a free port. Default 8001.", DefaultValueFactory = _ => 8001 };
        var host = new Option<string>("--host") { Description = "Address to listen on. Default 0.0.0.0 (all interfaces).", DefaultValueFactory = _ => "0.0.0.0" };
        var maxBody = new Option<long>("--max-request-body") { Description = "Largest request body in bytes; larger gets 413. Default 67108864 (64 MiB).", DefaultValueFactory = _ => 64L * 1024 * 1024 };
        var threads = CommonOptions.IntraOpThreads();
        // A string, bound like every other setting: a bool option would leave a mistyped value as a stray argument.
        var shareWeights = new Option<string>("--share-weights")
        {
            Description = "Hold identical large initializers of different models once: true or false (a model's config.json may override). Default true.",
        };
        var fusePipelines = new Option<string>("--fuse-pipelines")
        {
            Description = "Compile each pipeline (pipeline.json) into one ONNX Runtime graph when it can be: true or false (a model's config.json may override). Default true.",
        };
        var shareSubPlans = new Option<string>("--share-subplans")
        {
            Description = "Run what models begin with alike once for all of them, batched across models: the featurizers pipelines begin with, and the common beginning of plain ONNX graphs (a frozen encoder under heads of their own): true or false (a model's config.json may override). Default true.",
        };
        var globalThreadPool = new Option<string>("--global-thread-pool")
        {
            Description = "Run every model's sessions on one process-wide ONNX Runtime thread pool (sized by GlobalIntraOpThreads, default one thread per processor) instead of pools of their own: true or false (a model's config.json may override; a model that sets intra_op_threads keeps its own). Default true.",
        };
        var sharedArena = new Option<string>("--shared-arena")
        {
            Description = "Allocate every model's tensors from one process-wide ONNX Runtime CPU arena instead of one per session: true or false (a model's config.json may override). Default true.",
        };
        var sparseHeads = new Option<string>("--sparse-heads")
        {
            Description = "Run a pipeline's linear ONNX head in C# over its featurizers' sparse rows instead of a dense row in ONNX Runtime: true or false (a model's config.json may override). Default true.",
        };
        var lifecycle = ServeOptions.Create();
        var command = new Command(Name, "Serve the models of a repository over the Open Inference Protocol (REST and gRPC).") { repository, port, grpcPort, host, maxBody, threads, shareWeights, fusePipelines, shareSubPlans, sparseHeads, globalThreadPool, sharedArena };
        lifecycle.AddTo(command);
        var predictionStore = Batch.PredictionStoreOption.AddTo(command);
        var cacheOptions = new ServeCacheOptions();
        cacheOptions.AddTo(command);
        (Option Option, string Key)[] settingOptions =
        [
            (repository, "ModelRepository"), (port, "HttpPort"), (grpcPort, "GrpcPort"), (host, "Host"), (maxBody, "MaxRequestBody"),
            (threads, "IntraOpThreads"), (shareWeights, "ShareWeights"), (fusePipelines, "FusePipelines"), (shareSubPlans, "ShareSubPlans"), (sparseHeads, "SparseHeads"),
            (globalThreadPool, "GlobalThreadPool"), (sharedArena, "SharedArena"), (predictionStore, "PredictionStore"), .. lifecycle.Settings, .. cacheOptions.Settings,
        ];
        var optionNames = settingOptions.ToDictionary(s => s.Key, s => s.Option.Name, StringComparer.OrdinalIgnoreCase);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = ServeConfiguration.Bind(parse.GetValue(lifecycle.Config), ServeConfiguration.FromCommandLine(parse, settingOptions), optionNames, out var problem);
            var address = System.Net.IPAddress.Any;
            problem ??= settings!.Validate(out address);
            if (problem is null)
            {
                settings!.ModelRepository ??= CommonOptions.BundledRepository;
                problem = CommonOptions.CheckRepository(settings.ModelRepository);
            }

            if (problem is not null)
            {
                return StartupFailure.Report(problem);
            }

            await using var store = await Batch.PredictionStoreOption.OpenAsync(settings!.PredictionStore, cancellationToken).ConfigureAwait(false);
            if (store.Failed)
            {
                return StartupFailure.ExitCode;
            }

            // The response cache (and its Redis connection) outlives the engine that uses it.
            using var responseCache = ServeCache.Open(settings);
            // The host builds the engine (with its logging and meters), loads its models once the ports are bound and
            // disposes it when it stops.
            await using var app = AugurHost.Create(engine => ServeEngine.Configure(engine, settings, responseCache.Options), address, settings.HttpPort, o => settings.ServerOptions(o).PredictionStore = store.Store, logging => logging
                .SetMinimumLevel(LogLevel.Information)
                .AddFilter("Microsoft", LogLevel.Warning)
                // The host logs a failed start, and EngineStartup a failed load, with the stack trace; StartupFailure
                // reports them in one line instead.
                .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None)
                .AddFilter(typeof(Server.Lifecycle.EngineStartup).FullName, LogLevel.None)
                .AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.TimestampFormat = "HH:mm:ss ";
                }), settings.GrpcPort);

            // The ports are bound before any model loads, so a taken port or a wrong --host fails at once instead of
            // after a long load. Kestrel itself listens first (rather than sockets bound here and handed over): it
            // answers /v2/health/live from the start, readiness says "still loading" until the models are in, and the
            // one engine every door uses is the one that loads.
            Uri rest;
            try
            {
                rest = await AugurHost.StartAsync(app, cancellationToken).ConfigureAwait(false);
            }
            catch (EndpointBindException ex)
            {
                return StartupFailure.Report(StartupFailure.Describe(ex, settings));
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                return StartupFailure.Report($"the server could not start: {ex.Message}");
            }

            var grpc = AugurHost.GetGrpcAddress(app)!;
            Console.WriteLine($"Augur bound {Text(rest)} (REST) and {Text(grpc)} (gRPC); loading models");
            bool loaded;
            try
            {
                loaded = await AugurHost.LoadModelsAsync(app, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The host is stopping already (EngineStartup stops it). The folder was checked before start-up, so a
                // missing one went away since.
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                return StartupFailure.Report(ex is DirectoryNotFoundException
                    ? $"--model-repository '{settings.ModelRepository}' does not exist any more; give an existing folder"
                    : $"the models could not be loaded: {ex.Message}");
            }

            if (loaded)
            {
                Console.WriteLine($"Augur listening on {Text(rest)}");
                Console.WriteLine($"Augur gRPC listening on {Text(grpc)}");
            }

            // Returns on Ctrl+C or SIGTERM (the host's console lifetime): readiness turns 503, requests in flight
            // finish within the drain timeout, then Kestrel and the engine stop.
            await app.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// A command line for <c>augur serve</c> that does not parse (a malformed value, an unknown option) is a start-up
    /// failure like any other: one line, exit 2. Returns null for other commands and for command lines that parse.
    /// </summary>
    public static int? ReportParseErrors(ParseResult parse) =>
        parse.Action is ParseErrorAction && parse.CommandResult.Command.Name == Name && parse.Errors.Count > 0
            ? StartupFailure.Report(StartupFailure.Describe(parse))
            : null;

    private static string Text(Uri address) => address.ToString().TrimEnd('/');
}
