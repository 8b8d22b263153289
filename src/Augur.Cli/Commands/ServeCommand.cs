using System.CommandLine;
using Augur.Cli.Commands.Serve;
using Augur.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Augur.Cli.Commands;

/// <summary><c>augur serve</c>: load a model repository and serve it over REST and gRPC until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var repository = CommonOptions.ModelRepository();
        var port = new Option<int>("--http-port") { Description = "HTTP port; 0 picks a free port. Default 8000.", DefaultValueFactory = _ => 8000 };
        var grpcPort = new Option<int>("--grpc-port") { Description = "gRPC port (HTTP/2 cleartext); 0 picks a free port. Default 8001.", DefaultValueFactory = _ => 8001 };
        var host = new Option<string>("--host") { Description = "Address to listen on. Default 0.0.0.0 (all interfaces).", DefaultValueFactory = _ => "0.0.0.0" };
        var maxBody = new Option<long>("--max-request-body") { Description = "Largest request body in bytes; larger gets 413. Default 67108864 (64 MiB).", DefaultValueFactory = _ => 64L * 1024 * 1024 };
        var threads = CommonOptions.IntraOpThreads();
        var lifecycle = ServeOptions.Create();
        var command = new Command("serve", "Serve the models of a repository over the Open Inference Protocol (REST and gRPC).") { repository, port, grpcPort, host, maxBody, threads };
        lifecycle.AddTo(command);
        var predictionStore = Batch.PredictionStoreOption.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = ServeConfiguration.Bind(parse.GetValue(lifecycle.Config), ServeConfiguration.FromCommandLine(
                parse, (repository, "ModelRepository"), (port, "HttpPort"), (grpcPort, "GrpcPort"), (host, "Host"), (maxBody, "MaxRequestBody"), (threads, "IntraOpThreads"), (predictionStore, "PredictionStore")).Concat(lifecycle.CommandLineValues(parse))
                .ToDictionary(), out var bindProblem);
            var problem = bindProblem ?? settings!.Validate(out _);
            settings?.ModelRepository ??= CommonOptions.BundledRepository;
            problem ??= CommonOptions.CheckRepository(settings!.ModelRepository!);
            if (problem is not null)
            {
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                return 2;
            }

            settings!.Validate(out var address);
            await using var store = await Batch.PredictionStoreOption.OpenAsync(settings.PredictionStore, cancellationToken).ConfigureAwait(false);
            if (store.Failed)
            {
                return 2;
            }

            using var loggerFactory = CommonOptions.ConsoleLogging(LogLevel.Information);
            await using var engine = await ServeOptions.BuildEngineAsync(settings, loggerFactory, cancellationToken).ConfigureAwait(false);
            await using var app = AugurHost.Create(engine, address, settings.HttpPort, o => settings.ServerOptions(o).PredictionStore = store.Store, logging => logging
                .SetMinimumLevel(LogLevel.Information)
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.TimestampFormat = "HH:mm:ss ";
                }), settings.GrpcPort);
            var bound = await AugurHost.StartAsync(app, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Augur listening on {bound.ToString().TrimEnd('/')}");
            Console.WriteLine($"Augur gRPC listening on {AugurHost.GetGrpcAddress(app)!.ToString().TrimEnd('/')}");
            // Returns on Ctrl+C or SIGTERM (the host's console lifetime): readiness turns 503, requests in flight
            // finish within the drain timeout, then Kestrel and the engine stop.
            await app.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
