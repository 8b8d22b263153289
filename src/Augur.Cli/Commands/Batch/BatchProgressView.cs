using Augur.Batch;
using Spectre.Console;

namespace Augur.Cli.Commands.Batch;

/// <summary>The progress bar (rows/s, ETA) when stdout is a terminal, and the final summary.</summary>
internal static class BatchProgressView
{
    public static bool Interactive => !Console.IsOutputRedirected;

    public static async Task<BatchJobResult> RunAsync(BatchJob job, CancellationToken cancellationToken)
    {
        if (!Interactive)
        {
            return await job.RunAsync(null, cancellationToken).ConfigureAwait(false);
        }

        BatchJobResult? result = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedlessRateColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("rows", maxValue: 1);
                task.IsIndeterminate = true;
                var progress = new Progress<BatchProgress>(p =>
                {
                    if (p.TotalRows is { } total && total > 0)
                    {
                        task.IsIndeterminate = false;
                        task.MaxValue = total;
                    }

                    task.Value = p.RowsWritten + p.RowsFailed;
                    task.Description = $"rows {p.RowsWritten + p.RowsFailed:N0}" + (p.RowsFailed > 0 ? $" ({p.RowsFailed:N0} bad)" : string.Empty);
                });
                result = await job.RunAsync(progress, cancellationToken).ConfigureAwait(false);
                task.StopTask();
            }).ConfigureAwait(false);
        return result!;
    }

    public static void PrintSummary(BatchJobResult result, BatchJobOptions options)
    {
        var rate = result.Elapsed.TotalSeconds > 0 ? result.RowsThisRun / result.Elapsed.TotalSeconds : 0;
        Console.WriteLine($"job {result.JobId} shard {options.ShardIndex}/{options.ShardCount}: {Describe(result.ExitCode)}");
        Console.WriteLine($"  model {options.Model} version {result.ModelVersion ?? "?"} -> {options.Output.Display}");
        if (result.TakenOverFrom is { } previous)
        {
            Console.WriteLine($"  took the shard over from a run that stopped beating: {previous.Describe()}");
        }

        Console.WriteLine($"  rows written {result.RowsWritten}, bad rows {result.RowsFailed}, this run {result.RowsThisRun} in {result.Elapsed.TotalSeconds:F1} s ({rate:F0} rows/s), skipped (done before) {result.RowsSkipped}");
        if (result.Message is not null)
        {
            Console.Error.WriteLine(result.Message);
        }

        Console.WriteLine($"  exit code {(int)result.ExitCode}");
    }

    private static string Describe(BatchExitCode code) => code switch
    {
        BatchExitCode.Completed => "completed",
        BatchExitCode.CompletedWithErrors => "completed with bad rows (see `augur batch status`)",
        BatchExitCode.TooManyErrors => "stopped: too many bad rows",
        BatchExitCode.Cancelled => "cancelled (re-run the same command to resume)",
        BatchExitCode.UsageError => "not started (usage error)",
        BatchExitCode.ShardHeld => "stopped: another run holds the shard",
        _ => "failed (re-run the same command to resume)",
    };

    /// <summary>Rows per second, without Spectre's byte units.</summary>
    private sealed class TransferSpeedlessRateColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? $"{speed:N0} rows/s" : "- rows/s");
    }
}
