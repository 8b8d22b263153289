using System.CommandLine;

namespace Augur.OpenLoop.InProcess;

/// <summary><c>augur-openloop inprocess</c>: the batched throughput ceiling of the engine itself, with no HTTP or JSON.</summary>
internal static class InProcessCommand
{
    public static Command Create()
    {
        var repository = new Option<DirectoryInfo>("--model-repository") { Description = "The model repository folder.", Required = true };
        var model = new Option<string>("--model") { Description = "The model to run.", Required = true };
        var request = new Option<FileInfo>("--request") { Description = "A JSON request file; its first input (FP32, flat, shape [1, ...]) is the sample.", Required = true };
        var batch = new Option<int>("--batch") { Description = "Samples per request: the file's row repeated along the first dimension.", Required = true };
        var duration = new Option<double>("--duration") { Description = "Measured seconds.", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of the same load before measuring.", DefaultValueFactory = _ => 2 };
        var concurrency = new Option<int?>("--concurrency") { Description = "Concurrent request loops. Default: the model's instance_count (1 without config.json)." };
        var command = new Command("inprocess", "Batched throughput of the engine in this process: samples per second and batch latency.")
        {
            repository, model, request, batch, duration, warmup, concurrency,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (folder, name, file) = (parse.GetValue(repository)!, parse.GetValue(model)!, parse.GetValue(request)!);
            var problem = true switch
            {
                _ when !folder.Exists => $"--model-repository '{folder.FullName}' does not exist",
                _ when !file.Exists => $"--request '{file.FullName}' does not exist",
                _ when parse.GetValue(batch) < 1 || parse.GetValue(concurrency) < 1 => "--batch and --concurrency must be at least 1",
                _ when parse.GetValue(duration) <= 0 || parse.GetValue(warmup) < 0 => "--duration must be positive and --warmup not negative",
                _ => null,
            };
            if (problem is not null)
            {
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                return 2;
            }

            var inference = BatchRequestFile.Read(file.FullName, name, parse.GetValue(batch));
            await using var engine = await new InferenceEngineBuilder().UseModelRepository(folder.FullName).UseOnnxRuntime().BuildAsync(cancellationToken).ConfigureAwait(false);

            // One call first, so a model that is missing or refuses the batch fails at once with the engine's reason.
            var probe = await engine.TryInferAsync(inference, cancellationToken).ConfigureAwait(false);
            if (!probe.IsSuccess)
            {
                await Console.Error.WriteLineAsync(probe.Error.ToString()).ConfigureAwait(false);
                return 1;
            }

            var loops = parse.GetValue(concurrency) ?? InstanceCount.Read(folder.FullName, name);
            var result = await new BatchLoadRun(
                engine, inference, parse.GetValue(batch), loops, TimeSpan.FromSeconds(parse.GetValue(warmup)), TimeSpan.FromSeconds(parse.GetValue(duration)))
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"model={name} {result}");
            if (result.FirstError is not null)
            {
                await Console.Error.WriteLineAsync($"first error: {result.FirstError}").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}
