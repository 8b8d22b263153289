using System.CommandLine;
using Augur.Models;
using Microsoft.Extensions.Logging;

namespace Augur.Cli.Commands;

/// <summary><c>augur models list</c>: load a repository and report each model's state, versions and, for failures, the reason.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var repository = CommonOptions.ModelRepository();
        var list = new Command("list", "Load a model repository and list its models with their state.") { repository };
        list.SetAction(async (parse, cancellationToken) =>
        {
            if (CommonOptions.CheckRepository(parse.GetValue(repository)!) is { } missing)
            {
                await Console.Error.WriteLineAsync(missing).ConfigureAwait(false);
                return 2;
            }

            using var logging = CommonOptions.ConsoleLogging(LogLevel.None);
            await using var engine = await CommonOptions.BuildEngineAsync(parse.GetValue(repository)!, 1, logging, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{"MODEL",-24} {"STATE",-12} {"VERSIONS",-10} REASON");
            foreach (var model in engine.Models)
            {
                var versions = string.Join(",", model.Versions.Where(v => v.State == ModelState.Ready).Select(v => v.Version));
                Console.WriteLine($"{model.Name,-24} {model.State.ToString().ToUpperInvariant(),-12} {(versions.Length > 0 ? versions : "-"),-10} {model.Reason}");
            }

            return engine.Models.All(m => m.State == ModelState.Ready) ? 0 : 1;
        });

        var models = new Command("models", "Inspect a model repository; load and unload models on a running server.") { list, Models.PlanCommand.Create() };
        foreach (var control in ModelControlCommands.Create())
        {
            models.Subcommands.Add(control);
        }

        return models;
    }
}
