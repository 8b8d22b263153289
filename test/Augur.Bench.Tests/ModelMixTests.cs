using Augur.Bench.Targets;

namespace Augur.Bench.Tests;

/// <summary>--models-from: each query goes to a model drawn uniformly from a seed, and the request files name the models.</summary>
public sealed class ModelMixTests
{
    [Fact]
    public async Task Each_query_goes_to_the_model_of_its_draw()
    {
        var targets = Enumerable.Range(0, 100).Select(_ => new CountingTarget()).ToArray();
        var mix = new ModelMix(targets.Select((t, i) => ($"model_{i:D2}", (ILoadTarget)t)).ToArray(), seed: 1);
        const int Queries = 20_000;

        for (var i = 0; i < Queries; i++)
        {
            Assert.True((await mix.IssueAsync(1, CancellationToken.None)).Error is null);
        }

        var expected = new int[targets.Length];
        for (var draw = 0; draw < Queries; draw++)
        {
            expected[mix.ModelAt(draw)]++;
        }

        Assert.Equal(expected, targets.Select(t => t.Queries));
        // Uniform: 200 expected per model; a seeded draw, so these bounds are a property of the seed, not of luck on a run.
        Assert.All(targets, t => Assert.InRange(t.Queries, 150, 250));
        Assert.Equal("model_00", mix.Models[0]);
    }

    [Fact]
    public void The_same_seed_draws_the_same_models_and_another_seed_others()
    {
        var models = Enumerable.Range(0, 100).Select(i => ($"m{i}", (ILoadTarget)new CountingTarget())).ToArray();
        var (a, b, other) = (new ModelMix(models, 1), new ModelMix(models, 1), new ModelMix(models, 2));
        var first = Enumerable.Range(0, 1_000).Select(i => a.ModelAt(i)).ToArray();

        Assert.Equal(first, Enumerable.Range(0, 1_000).Select(i => b.ModelAt(i)));
        Assert.NotEqual(first, Enumerable.Range(0, 1_000).Select(i => other.ModelAt(i)));
        Assert.All(first, m => Assert.InRange(m, 0, 99));
    }

    [Fact]
    public void A_mix_needs_a_model()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelMix([], 1));
    }

    [Fact]
    public void The_folder_names_a_model_per_json_file_in_ordinal_order()
    {
        var folder = Directory.CreateTempSubdirectory("augur-models-from-");
        try
        {
            foreach (var name in new[] { "text_01.json", "Numeric_00.json", "text_00.json", "notes.txt" })
            {
                File.WriteAllText(Path.Combine(folder.FullName, name), "{}");
            }

            var (requests, problem) = ModelMix.ReadFolder(folder);

            Assert.Null(problem);
            Assert.Equal(["Numeric_00", "text_00", "text_01"], requests!.Select(r => r.Model));
            Assert.Equal(Path.Combine(folder.FullName, "text_00.json"), requests![1].Request.FullName);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_folder_without_request_files_or_no_folder_is_refused_by_name()
    {
        var folder = Directory.CreateTempSubdirectory("augur-models-from-");
        try
        {
            var (none, empty) = ModelMix.ReadFolder(folder);
            var (missing, absent) = ModelMix.ReadFolder(new DirectoryInfo(Path.Combine(folder.FullName, "nope")));

            Assert.Null(none);
            Assert.Equal($"--models-from '{folder.FullName}' holds no request files (MODEL.json, one per model)", empty);
            Assert.Null(missing);
            Assert.Equal($"--models-from '{Path.Combine(folder.FullName, "nope")}' is not a folder", absent);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private sealed class CountingTarget : ILoadTarget
    {
        private int _queries;

        public int Queries => _queries;

        public ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _queries);
            return ValueTask.FromResult(QueryOutcome.Success());
        }
    }
}
