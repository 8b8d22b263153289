using System.CommandLine;
using System.Runtime.InteropServices;
using Augur.Streams;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Augur.Cli.Commands;

/// <summary>
/// <c>augur stream</c>: consume a Redis Stream with a consumer group, predict each message with the in-process engine and
/// write the outcome to an output stream, until Ctrl+C or SIGTERM (then the messages in flight are finished).
/// </summary>
internal static class StreamCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model every message is predicted with.", Required = true };
        var version = new Option<string?>("--model-version") { Description = "The model version. Default: the highest ready version." };
        var redis = new Option<string>("--redis") { Description = "Redis server: redis://[:password@]host:port[/db], or a StackExchange.Redis configuration string (a unix socket: !/path/to/redis.sock).", Required = true };
        var input = new Option<string>("--input-stream") { Description = "The stream of requests (field 'body': an OIP JSON infer request; optional sequence_id, sequence_start, sequence_end).", Required = true };
        var output = new Option<string>("--output-stream") { Description = "The stream outcomes are written to (one entry per message: source_id, body, and error fields on failure).", Required = true };
        var group = new Option<string>("--group") { Description = "The consumer group; created when missing (reading the stream from its start).", Required = true };
        var consumer = new Option<string?>("--consumer") { Description = "This consumer's name in the group. Default: host name and process id." };
        var maxAttempts = new Option<int>("--max-attempts") { Description = "Deliveries before a failing message is dead-lettered. Default 3.", DefaultValueFactory = _ => 3 };
        var deadLetter = new Option<string?>("--dead-letter") { Description = "The dead-letter stream. Default: <input-stream>:dead." };
        var maxInFlight = new Option<int>("--max-in-flight") { Description = "Messages read but not finished at most (backpressure). Default 64.", DefaultValueFactory = _ => 64 };
        var claimIdle = new Option<int>("--claim-min-idle-ms") { Description = "Claim another consumer's pending message after it has been idle this long (ms). Default 30000.", DefaultValueFactory = _ => 30_000 };
        var claimInterval = new Option<int>("--claim-interval-ms") { Description = "How often to look for such messages (ms). Default 5000.", DefaultValueFactory = _ => 5_000 };
        var repository = CommonOptions.ModelRepository();
        var threads = CommonOptions.IntraOpThreads();
        var command = new Command("stream", "Predict the messages of a Redis Stream (consumer group) and write the outcomes to another stream.")
        {
            model, version, redis, input, output, group, consumer, maxAttempts, deadLetter, maxInFlight, claimIdle, claimInterval, repository, threads,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new StreamConsumerOptions
            {
                Model = parse.GetValue(model)!,
                ModelVersion = parse.GetValue(version),
                InputStream = parse.GetValue(input)!,
                OutputStream = parse.GetValue(output)!,
                Group = parse.GetValue(group)!,
                MaxAttempts = parse.GetValue(maxAttempts),
                DeadLetterStream = parse.GetValue(deadLetter),
                MaxInFlight = parse.GetValue(maxInFlight),
                ClaimMinIdle = TimeSpan.FromMilliseconds(parse.GetValue(claimIdle)),
                ClaimInterval = TimeSpan.FromMilliseconds(parse.GetValue(claimInterval)),
            };
            if (parse.GetValue(consumer) is { } name)
            {
                options = options with { Consumer = name };
            }

            var problem = CommonOptions.CheckRepository(parse.GetValue(repository)!) ?? options.Validate();
            if (problem is not null || !RedisAddress.TryParse(parse.GetValue(redis)!, "--redis", out var configuration, out problem))
            {
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                return 2;
            }

            using var loggerFactory = CommonOptions.ConsoleLogging(LogLevel.Information);
            await using var engine = await CommonOptions.BuildEngineAsync(parse.GetValue(repository)!, parse.GetValue(threads), loggerFactory, cancellationToken, precomputed: true).ConfigureAwait(false);
            if (engine.CheckReady(options.Model, options.ModelVersion) is { } notReady)
            {
                await Console.Error.WriteLineAsync(notReady.Message).ConfigureAwait(false);
                return 1;
            }

            await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
            var streamConsumer = new RedisStreamConsumer(engine, connection, options, loggerFactory.CreateLogger<RedisStreamConsumer>());
            Console.WriteLine($"Augur consuming {options.InputStream} as {options.Consumer} (group {options.Group})");
            // SIGTERM and Ctrl+C stop reading; the messages in flight are finished and written before exiting with 0.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            await streamConsumer.RunAsync(stopping.Token).ConfigureAwait(false);
            return 0;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stopping.Cancel();
            }
        });
        return command;
    }
}
