using Augur;
using EdgeConsole;

// Predicts delivery times on the device itself, with no server: one order per line on stdin
// (distance_km,item_count,hour_of_day,is_raining), one prediction per line on stdout.
var repository = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "models");
if (!Directory.Exists(repository))
{
    Console.Error.WriteLine($"EdgeConsole: the model repository '{repository}' does not exist; give its folder as the first argument");
    return 2;
}

await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository).UseOnnxRuntime().BuildAsync();
var predictor = new DeliveryPredictor(engine);
var failures = 0;
var number = 0;
while (Console.ReadLine() is { } line)
{
    number++;
    if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
    {
        continue;
    }

    var (minutes, problem) = await predictor.PredictAsync(line);
    if (problem is not null)
    {
        Console.Error.WriteLine($"line {number}: {problem}");
        failures++;
        continue;
    }

    Console.WriteLine($"{line.Trim()} -> {minutes:F1} min");
}

return failures == 0 ? 0 : 1;
