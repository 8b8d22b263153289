using System.Globalization;

namespace Augur.WorkerTransport;

/// <summary>The command line: what to run and for how long.</summary>
/// <param name="Augur">augur.dll or the augur executable, whose <c>augur worker</c> serves the models; null hosts the worker in this process.</param>
/// <param name="Sizes">The identity model's batch sizes, in bytes (multiples of 4 KiB).</param>
/// <param name="SampleRepository">The sample model repository, for <paramref name="Samples"/>.</param>
/// <param name="Samples">Sample models and their batch sizes (requests per batch), e.g. image_classifier ×32.</param>
/// <param name="SecondsPerCase">About how long each case runs, its three variants together.</param>
/// <param name="MinIterations">The fewest iterations of a case, however slow.</param>
/// <param name="MaxIterations">The most iterations of a case, however fast.</param>
internal sealed record BenchSettings(
    string? Augur, IReadOnlyList<int> Sizes, string? SampleRepository, IReadOnlyList<(string Model, int Batch)> Samples,
    double SecondsPerCase, int MinIterations, int MaxIterations)
{
    public const string Usage =
        "usage: Augur.WorkerTransport [--augur PATH/augur.dll] [--sizes 4K,64K,1M,4M,16M,64M] [--samples REPOSITORY] "
        + "[--sample MODEL:BATCH]... [--seconds 6] [--min-iterations 15] [--max-iterations 3000]";

    private static readonly int[] DefaultSizes = [4 << 10, 64 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20];

    private static readonly (string, int)[] DefaultSamples = [("image_classifier", 32), ("ranker", 64)];

    /// <summary>Reads the arguments; a mistake is one line naming the argument.</summary>
    public static BenchSettings Parse(string[] args, out string? problem)
    {
        var settings = new BenchSettings(null, DefaultSizes, null, [], 6, 15, 3000);
        var samples = new List<(string, int)>();
        problem = null;
        for (var i = 0; i < args.Length && problem is null; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : null;
            if (value is null)
            {
                problem = $"{name} needs a value";
                break;
            }

            switch (name)
            {
                case "--augur":
                    problem = File.Exists(value) ? null : $"--augur '{value}' does not exist; give the published augur.dll or augur executable";
                    settings = settings with { Augur = Path.GetFullPath(value) };
                    break;
                case "--sizes":
                    var sizes = new List<int>();
                    foreach (var text in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!WorkerTransport.Sizes.TryParse(text, out var bytes) || bytes % TransportCase.IdentityRowBytes != 0 || bytes > 1 << 30)
                        {
                            problem = $"--sizes '{text}': expected a multiple of 4K up to 1024M, such as 4K, 64K or 16M";
                            break;
                        }

                        sizes.Add(bytes);
                    }

                    settings = settings with { Sizes = sizes };
                    break;
                case "--samples":
                    problem = Directory.Exists(value) ? null : $"--samples '{value}' does not exist; give the sample model repository (samples/models)";
                    settings = settings with { SampleRepository = Path.GetFullPath(value) };
                    break;
                case "--sample":
                    var parts = value.Split(':');
                    if (parts.Length != 2 || parts[0].Length == 0 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var batch) || batch < 1)
                    {
                        problem = $"--sample '{value}': expected MODEL:BATCH, such as image_classifier:32";
                    }
                    else
                    {
                        samples.Add((parts[0], batch));
                    }

                    break;
                case "--seconds":
                    problem = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 600
                        ? null : $"--seconds '{value}': expected a number of seconds per case from 0 to 600";
                    settings = settings with { SecondsPerCase = seconds };
                    break;
                case "--min-iterations" or "--max-iterations":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
                    {
                        problem = $"{name} '{value}': expected a positive whole number";
                    }

                    settings = name == "--min-iterations" ? settings with { MinIterations = count } : settings with { MaxIterations = count };
                    break;
                default:
                    problem = $"unknown option '{name}'";
                    break;
            }
        }

        if (problem is null && settings.MinIterations > settings.MaxIterations)
        {
            problem = $"--min-iterations {settings.MinIterations} is above --max-iterations {settings.MaxIterations}";
        }

        if (problem is null && settings.Sizes.Count == 0 && settings.SampleRepository is null)
        {
            problem = "nothing to measure: give --sizes, or --samples REPOSITORY";
        }

        if (problem is null && samples.Count > 0 && settings.SampleRepository is null)
        {
            problem = "--sample needs --samples REPOSITORY (the folder holding the sample models)";
        }

        return settings with { Samples = samples.Count > 0 ? samples : settings.SampleRepository is null ? [] : DefaultSamples };
    }
}
