using System.CommandLine;
using Augur.Models;
using Microsoft.Extensions.Logging;

namespace Augur.Cli.Commands.Models;

/// <summary>
/// <c>augur models plan [MODEL]</c>: load a repository in process, as <c>augur serve</c> would with the same switches,
/// and print how each ready version runs: its steps, the weights and sub-plans it shares with which versions, the bytes
/// saved, and why a pipeline is fused or not (<see cref="PlanReport"/>).
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var repository = CommonOptions.ModelRepository();
        var model = new Argument<string?>("MODEL") { Description = "Only this model's versions (sharing is still counted across every loaded model). Default: all.", Arity = ArgumentArity.ZeroOrOne };
        var shareWeights = Switch("--share-weights", "Hold identical large initializers of different models once, as augur serve does by default.");
        var fusePipelines = Switch("--fuse-pipelines", "Compile pipelines into one ONNX Runtime graph when they can be.");
        var shareSubPlans = Switch("--share-subplans", "Share the featurizers pipelines begin with, batched across pipelines.");
        var sparseHeads = Switch("--sparse-heads", "Run linear heads in C# over sparse featurizer rows.");
        var command = new Command("plan", "Load a model repository and print the optimised plan of each model: what is shared with which models, the bytes saved, fused steps, shared sub-plans.")
        {
            repository, model, shareWeights, fusePipelines, shareSubPlans, sparseHeads,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (CommonOptions.CheckRepository(parse.GetValue(repository)!) is { } missing)
            {
                await Console.Error.WriteLineAsync(missing).ConfigureAwait(false);
                return 2;
            }

            var switches = (Weights: parse.GetValue(shareWeights), Fuse: parse.GetValue(fusePipelines), SubPlans: parse.GetValue(shareSubPlans), Sparse: parse.GetValue(sparseHeads));
            using var logging = CommonOptions.ConsoleLogging(LogLevel.None);
            await using var engine = await CommonOptions.BuildEngineAsync(parse.GetValue(repository)!, 1, logging, cancellationToken, onnxRuntime: o =>
            {
                o.ShareWeights = switches.Weights;
                o.FusePipelines = switches.Fuse;
                o.ShareSubPlans = switches.SubPlans;
                o.SparseHeads = switches.Sparse;
            }).ConfigureAwait(false);

            var only = parse.GetValue(model);
            if (only is not null && engine.Models.SingleOrDefault(m => m.Name == only) is not { State: ModelState.Ready })
            {
                var status = engine.Models.SingleOrDefault(m => m.Name == only);
                await Console.Error.WriteLineAsync(status is null
                    ? $"model '{only}' is not in the repository; models: {string.Join(", ", engine.Models.Select(m => m.Name))}"
                    : $"model '{only}' is {status.State.ToString().ToUpperInvariant()}: {status.Reason}").ConfigureAwait(false);
                return 1;
            }

            Console.Write(PlanReport.Format(engine.Plans(), only, $"share weights {OnOff(switches.Weights)}, share sub-plans {OnOff(switches.SubPlans)}, fuse pipelines {OnOff(switches.Fuse)}, sparse heads {OnOff(switches.Sparse)}"));
            return 0;
        });
        return command;
    }

    private static string OnOff(bool on) => on ? "on" : "off";

    private static Option<bool> Switch(string name, string description) => new(name)
    {
        Description = $"{description} true or false. Default true.",
        DefaultValueFactory = _ => true,
        Arity = ArgumentArity.ExactlyOne,
    };
}
