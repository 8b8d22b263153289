using Augur.Bench.Data;
using Augur.Bench.Keys;
using Augur.Bench.Targets;
using Microsoft.Extensions.Logging;

namespace Augur.Cli.Commands.Bench;

/// <summary>Creates the target a bench run drives and checks it with one query before the run.</summary>
internal static class BenchTargets
{
    public const string InProcess = "in-process";

    /// <summary>
    /// Checks a target spec: an http(s) URL (REST), a grpc:// URL (unary ModelInfer), a grpc-stream:// URL
    /// (bidirectional ModelStreamInfer), or <c>in-process</c>; null when it is fine.
    /// </summary>
    public static string? Check(string option, string spec) =>
        spec == InProcess || (Uri.TryCreate(spec, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "grpc" or "grpc-stream")
            ? null
            : $"{option} '{spec}' is not an http://, https://, grpc:// or grpc-stream:// URL (or '{InProcess}')";

    /// <summary>The target for <paramref name="spec"/> (a URL, or <c>in-process</c> to build an engine from the repository).</summary>
    public static async Task<IBenchTarget> CreateAsync(string spec, string model, string? version, bool binary, int connections, string repository, CancellationToken cancellationToken)
    {
        if (spec != InProcess)
        {
            var uri = new Uri(spec);
            // gRPC runs over HTTP/2 cleartext on the server's gRPC port; --binary sends raw_input_contents.
            var grpcAddress = new UriBuilder(Uri.UriSchemeHttp, uri.Host, uri.Port).Uri;
            return uri.Scheme switch
            {
                "grpc" => new GrpcTarget(grpcAddress, model, version, binary),
                "grpc-stream" => new GrpcStreamTarget(grpcAddress, model, version, binary),
                _ => new HttpTarget(uri, model, version, binary, connections),
            };
        }

        using var logging = CommonOptions.ConsoleLogging(LogLevel.Warning);
        var engine = await CommonOptions.BuildEngineAsync(repository, 1, logging, cancellationToken).ConfigureAwait(false);
        return new InProcessTarget(engine, model, version, ownsEngine: true);
    }

    /// <summary>
    /// For --models-from: a target per model on <paramref name="target"/>'s server, each prepared with its request file and
    /// probed once (so every model has answered before the run), behind one <see cref="ModelMix"/> seeded by <paramref name="seed"/>.
    /// </summary>
    public static async Task<(ILoadTarget? Target, string? Error)> PrepareMixAsync(
        IBenchTarget target, IReadOnlyList<(string Model, FileInfo Request)> requests, int seed, int samplesPerQuery, CancellationToken cancellationToken)
    {
        if (target is not IMultiModelTarget server)
        {
            return (null, $"{target.Name}: --models-from needs an http(s):// URL or --in-process");
        }

        var models = new List<(string, ILoadTarget)>(requests.Count);
        foreach (var (model, request) in requests)
        {
            // Each holds nothing of its own (the server's target owns the connections or engine), so none is disposed.
            var (prepared, error) = await PrepareAsync(server.ForModel(model), request, seed, samplesPerQuery, cancellationToken).ConfigureAwait(false);
            if (prepared is null)
            {
                return (null, $"model '{model}' ({request.FullName}): {error}");
            }

            models.Add((model, prepared));
        }

        return (new ModelMix(models, seed), null);
    }

    /// <summary>
    /// Prepares the query and sends it once, so a wrong URL, model or request fails in a second with the answer. With
    /// <paramref name="keys"/>, each query takes the next key of a sequence seeded by <paramref name="seed"/> (the probe
    /// takes the first).
    /// </summary>
    public static async Task<(ILoadTarget? Target, string? Error)> PrepareAsync(
        IBenchTarget target, FileInfo? request, int seed, int samplesPerQuery, CancellationToken cancellationToken, bool sequencePerStream = false, ZipfDistribution? keys = null)
    {
        SampleSource samples;
        IReadOnlyList<Augur.Models.TensorSpec>? inputs = null;
        if (request is not null)
        {
            samples = SampleSource.RequestFile(await File.ReadAllBytesAsync(request.FullName, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            (inputs, var error) = await target.GetInputsAsync(cancellationToken).ConfigureAwait(false);
            if (inputs is null)
            {
                return (null, $"{target.Name}: {error}");
            }

            samples = SampleSource.Random(inputs, seed);
        }

        ILoadTarget prepared;
        try
        {
            if (keys is not null)
            {
                prepared = new KeyedTarget(target, inputs ?? throw new InvalidDataException("keyed queries need the model's inputs, not a request file"), new KeySequence(keys, seed));
            }
            else
            {
                var fixedQuery = new PreparedTarget(target, samples, sequencePerStream);
                fixedQuery.Prepare(samplesPerQuery);
                prepared = fixedQuery;
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException)
        {
            return (null, $"{target.Name}: {ex.Message}");
        }

        var probe = await prepared.IssueAsync(samplesPerQuery, cancellationToken).ConfigureAwait(false);
        return probe.Error is null ? (prepared, null) : (null, $"{target.Name}: the first query failed: {probe.Error}");
    }
}
