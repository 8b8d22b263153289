using System.CommandLine;
using Augur.Batch.Storage;

namespace Augur.Cli.Commands.Batch;

/// <summary><c>augur predictions get --output DB --model M --key K</c>: the newest stored prediction for a key, as JSON.</summary>
internal static class PredictionsCommand
{
    public static Command Create()
    {
        var output = BatchCommand.StoreOption();
        var model = new Option<string>("--model") { Description = "The model.", Required = true };
        var key = new Option<string>("--key") { Description = "The row key (the job's --key-column value, or the row id).", Required = true };
        var get = new Command("get", "Print the newest stored prediction of a model for a key as JSON. Exit 0, 1 when there is none, 2 for bad options.") { output, model, key };
        get.SetAction(async (parse, cancellationToken) =>
        {
            await using var store = await BatchCommand.OpenStoreAsync(parse.GetValue(output)!, "--output", cancellationToken).ConfigureAwait(false);
            if (store is null)
            {
                return 2;
            }

            var prediction = await store.GetPredictionAsync(parse.GetValue(model)!, parse.GetValue(key)!, cancellationToken).ConfigureAwait(false);
            if (prediction is null)
            {
                await Console.Error.WriteLineAsync($"no prediction of model '{parse.GetValue(model)}' for key '{parse.GetValue(key)}'").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine(PredictionJson.Write(prediction));
            return 0;
        });
        return new Command("predictions", "Read predictions stored by `augur batch`.") { get };
    }
}
