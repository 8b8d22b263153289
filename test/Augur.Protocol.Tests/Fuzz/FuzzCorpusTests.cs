using Augur.Fuzz;
using Augur.Fuzz.Engine;
using Augur.Fuzz.Targets;
using Augur.Testing;

namespace Augur.Protocol.Tests.Fuzz;

/// <summary>
/// The committed fuzz corpus (seeds and the inputs of fixed findings) replayed through the same targets afl-fuzz
/// runs: every input must end in a decoded request or a clear error, with no exception, within the memory budget.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    public static TheoryData<string> Targets() => [.. FuzzTarget.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_committed_input_passes_its_target(string target)
    {
        var (passed, failed) = Replay(target);

        Assert.True(failed.Count == 0, string.Join(Environment.NewLine, failed.Select(f => $"{f.File}: {f.Exception}")));
        Assert.NotEmpty(passed);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Valid_seeds_reach_the_model(string target)
    {
        // A seed that no longer decodes would quietly stop the fuzzer from starting deep in the request path
        // (the metadata target has no step after its reader: its valid seeds decode).
        var valid = Replay(target).Passed.Where(r => Path.GetFileName(r.File).StartsWith("valid-", StringComparison.Ordinal)).ToArray();

        Assert.NotEmpty(valid);
        Assert.All(valid, r => Assert.True(r.Outcome.Stage is FuzzStage.Answered or FuzzStage.Decoded, $"{r.File}: {r.Outcome}"));
    }

    [Fact]
    public void The_committed_seeds_are_what_the_seed_command_writes()
    {
        foreach (var (target, seeds) in SeedCorpus.All())
        {
            foreach (var (name, bytes) in seeds)
            {
                var file = Path.Combine(CorpusFolder(target), name);
                Assert.True(File.Exists(file), $"{file} is missing; run `Augur.Fuzz seed fuzz/corpus`");
                Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(file)), $"{file} differs from the seed; run `Augur.Fuzz seed fuzz/corpus`");
            }
        }
    }

    private static string CorpusFolder(string target) => Path.Combine(RepositoryPaths.Root, "fuzz", "corpus", target);

    private static (IReadOnlyList<ReplayResult> Passed, IReadOnlyList<ReplayFailure> Failed) Replay(string target)
    {
        var files = CorpusReplay.Files([CorpusFolder(target)]);
        using var engine = FuzzEngine.Start();
        var replay = Task.Run(() => CorpusReplay.Run(FuzzTarget.Create(target, engine)!, files));
        Assert.True(replay.Wait(Bound), $"replaying {files.Count} {target} inputs took longer than {Bound.TotalSeconds} s");
        return replay.Result;
    }
}
