using Augur.Bench.Keys;

namespace Augur.Bench.Targets;

/// <summary>
/// Spreads the queries of a scenario over many models (<c>augur bench --models-from DIR</c>): each query goes to a model
/// chosen uniformly at random, draw i from the seed and i alone (a <see cref="KeySequence"/> over <c>zipf:0:N</c>), so a
/// seed sends the same models in the same order on every run and against every target, whichever thread takes a draw.
/// Thread-safe.
/// </summary>
public sealed class ModelMix : ILoadTarget
{
    private readonly IReadOnlyList<ILoadTarget> _targets;
    private readonly KeySequence _draws;

    /// <summary>Sends to one of <paramref name="models"/> per query: the model's name and the target that queries it.</summary>
    public ModelMix(IReadOnlyList<(string Model, ILoadTarget Target)> models, int seed)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfZero(models.Count);
        Models = models.Select(m => m.Model).ToArray();
        _targets = models.Select(m => m.Target).ToArray();
        _draws = new KeySequence(new ZipfDistribution(0, models.Count), seed);
    }

    /// <summary>The models, in the order given: <see cref="ModelAt"/> returns an index into this list.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>The index of the model draw <paramref name="draw"/> (0-based) goes to.</summary>
    public int ModelAt(long draw) => _draws.At(draw);

    /// <inheritdoc />
    public ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken) =>
        _targets[_draws.Next()].IssueAsync(samples, cancellationToken);

    /// <summary>
    /// The request files of <paramref name="folder"/>: every <c>*.json</c> in it, the model named by the file's name
    /// without <c>.json</c>, in ordinal order of the names; the problem when there are none.
    /// </summary>
    public static (IReadOnlyList<(string Model, FileInfo Request)>? Requests, string? Problem) ReadFolder(DirectoryInfo folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!folder.Exists)
        {
            return (null, $"--models-from '{folder.FullName}' is not a folder");
        }

        var files = folder.GetFiles("*.json").OrderBy(f => f.Name, StringComparer.Ordinal).ToArray();
        return files.Length == 0
            ? (null, $"--models-from '{folder.FullName}' holds no request files (MODEL.json, one per model)")
            : (files.Select(f => (Path.GetFileNameWithoutExtension(f.Name), f)).ToArray(), null);
    }
}
