using System.CommandLine;
using System.Net;
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
        var command = new Command("serve", "Serve the models of a repository over the Open Inference Protocol (REST and gRPC).") { repository, port, grpcPort, host, maxBody, threads };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!IPAddress.TryParse(parse.GetValue(host), out var address))
            {
                await Console.Error.WriteLineAsync($"--host '{parse.GetValue(host)}' is not an IP address").ConfigureAwait(false);
                return 2;
            }

            if (parse.GetValue(port) is < 0 or > 65535)
            {
                await Console.Error.WriteLineAsync($"--http-port {parse.GetValue(port)} is not a port number (0 to 65535)").ConfigureAwait(false);
                return 2;
            }

            if (parse.GetValue(grpcPort) is < 0 or > 65535 || (parse.GetValue(grpcPort) == parse.GetValue(port) && parse.GetValue(port) != 0))
            {
                await Console.Error.WriteLineAsync($"--grpc-port {parse.GetValue(grpcPort)} is not a port number (0 to 65535) other than --http-port").ConfigureAwait(false);
                return 2;
            }

            Action<AugurServerOptions> configureServer = o => o.MaxRequestBodyBytes = parse.GetValue(maxBody);
            var problem = CommonOptions.CheckRepository(parse.GetValue(repository)!) ?? CheckOptions(configureServer, parse.GetValue(threads));
            if (problem is not null)
            {
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                return 2;
            }

            using var loggerFactory = CommonOptions.ConsoleLogging(LogLevel.Information);
            await using var engine = await CommonOptions.BuildEngineAsync(parse.GetValue(repository)!, parse.GetValue(threads), loggerFactory, cancellationToken).ConfigureAwait(false);
            await using var app = AugurHost.Create(engine, address, parse.GetValue(port), configureServer, logging => logging
                .SetMinimumLevel(LogLevel.Information)
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.TimestampFormat = "HH:mm:ss ";
                }), parse.GetValue(grpcPort));
            var bound = await AugurHost.StartAsync(app, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Augur listening on {bound.ToString().TrimEnd('/')}");
            Console.WriteLine($"Augur gRPC listening on {AugurHost.GetGrpcAddress(app)!.ToString().TrimEnd('/')}");
            // Returns on Ctrl+C or SIGTERM (the host's console lifetime) and then stops Kestrel gracefully.
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    // Settings are checked before any model loads, so a typo fails in a second with one line, not after loading.
    private static string? CheckOptions(Action<AugurServerOptions> configure, int intraOpThreads)
    {
        try
        {
            var options = new AugurServerOptions();
            configure(options);
            options.Validate();
            new OnnxRuntime.Backend.OnnxRuntimeOptions { IntraOpThreads = intraOpThreads }.Validate();
            return null;
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return $"invalid setting {ex.ParamName}: {ex.ActualValue} {ex.Message.Split(" (Parameter", 2)[0]}";
        }
    }
}
