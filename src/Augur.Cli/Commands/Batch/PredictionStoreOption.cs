using System.CommandLine;
using Augur.Batch.Storage;

namespace Augur.Cli.Commands.Batch;

/// <summary><c>augur serve --prediction-store DB</c>: the store <c>GET /v2/models/{model}/predictions/{key}</c> reads.</summary>
internal static class PredictionStoreOption
{
    public static Option<string?> AddTo(Command command)
    {
        var option = new Option<string?>("--prediction-store")
        {
            Description = "A SQLite file or postgres:// URI written by `augur batch`: serves GET /v2/models/{model}/predictions/{key}. Default: none (that route answers 404).",
        };
        command.Options.Add(option);
        return option;
    }

    /// <summary>Opens the store named by the option (none when it is not given); <see cref="Opened.Failed"/> after printing why it cannot be opened.</summary>
    public static async Task<Opened> OpenAsync(string? text, CancellationToken cancellationToken)
    {
        if (text is null)
        {
            return new Opened(null, false);
        }

        var store = await BatchCommand.OpenStoreAsync(text, "--prediction-store", cancellationToken).ConfigureAwait(false);
        return new Opened(store, store is null);
    }

    /// <summary>The opened store (null when none was asked for or it failed), disposed with this.</summary>
    public sealed record Opened(PredictionStore? Store, bool Failed) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Store?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
