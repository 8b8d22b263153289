using System.CommandLine;
using Augur.Batch.Precomputed;
using Augur.Precomputed;

namespace Augur.Cli.Commands.Batch;

/// <summary><c>augur serve --prediction-store DB</c>: the store <c>GET /v2/models/{model}/predictions/{key}</c> reads.</summary>
internal static class PredictionStoreOption
{
    public static Option<string?> AddTo(Command command)
    {
        var option = new Option<string?>("--prediction-store")
        {
            Description = "A SQLite file or postgres:// URI written by `augur batch`, or a redis:// URI filled by `augur predictions publish`: serves GET /v2/models/{model}/predictions/{key}. Default: none (that route answers 404).",
        };
        command.Options.Add(option);
        return option;
    }

    /// <summary>
    /// Opens the store named by the option (none when it is not given); <see cref="Opened.Failed"/> after printing why it
    /// cannot be opened. A SQL store is opened now, so a wrong path or an unreachable database stops the start; Redis
    /// connects on the first request and keeps reconnecting.
    /// </summary>
    public static async Task<Opened> OpenAsync(string? text, CancellationToken cancellationToken)
    {
        if (text is null)
        {
            return new Opened(null, false);
        }

        if (RedisLocation.IsUri(text))
        {
            if (!RedisLocation.TryParse(text, out var configuration, out var problem))
            {
                await Console.Error.WriteLineAsync($"--prediction-store: {problem}").ConfigureAwait(false);
                return new Opened(null, true);
            }

            return new Opened(new RedisPredictionStore(configuration, RedisLocation.Redact(text)), false);
        }

        var store = await BatchCommand.OpenStoreAsync(text, "--prediction-store", cancellationToken).ConfigureAwait(false);
        return new Opened(store, store is null);
    }

    /// <summary>The opened store (null when none was asked for or it failed), disposed with this.</summary>
    public sealed record Opened(IPrecomputedPredictions? Store, bool Failed) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Store?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
