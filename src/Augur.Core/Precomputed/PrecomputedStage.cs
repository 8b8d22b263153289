using System.Globalization;
using System.Text;
using Augur.Diagnostics;
using Augur.Inference;
using Augur.Models;
using Augur.Scheduling;
using Augur.Stages;
using Augur.Tensors;
using Microsoft.Extensions.Logging;

namespace Augur.Precomputed;

/// <summary>
/// A version's precomputed predictions. A validated request with a key (the <c>prediction_key</c> parameter, or the
/// value of the declared key input) and one row is answered from the store when it holds a prediction for the key made
/// by this version, no older than max_age_seconds, with every output asked for. Anything else runs the model: no key,
/// several rows, a miss, a stale prediction, another version's, a row that lacks an output, and a store that fails or
/// does not answer within the timeout (a request never fails because of the store; while it fails, it is asked once per
/// <see cref="PrecomputedSource.RetryInterval"/> and other requests do not wait for it). With write_back, what the model
/// answered for a key the store could not is queued to be stored.
/// </summary>
internal sealed class PrecomputedStage : IRequestStage
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _model;
    private readonly string _version;
    private readonly bool _batched;
    private readonly PrecomputedConfig _config;
    private readonly TensorSpec? _keyInput;
    private readonly PrecomputedSource _source;
    private readonly PrecomputedMetrics.Bound _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // One row of every output, in signature order: what a request that names no outputs is answered with.
    private readonly TensorSpec[] _rows;

    /// <summary>A fresh stored prediction answers without the model, so responses say where each answer came from.</summary>
    public bool AnswersWithoutModel => true;

    public PrecomputedStage(StageSite site, PrecomputedConfig config, TensorSpec? keyInput, PrecomputedSource source, PrecomputedMetrics.Bound metrics, ILogger logger)
    {
        _model = site.Model;
        _version = site.VersionText;
        _batched = site.MaxBatchSize > 0;
        _config = config;
        _keyInput = keyInput;
        _source = source;
        _metrics = metrics;
        _time = site.Time;
        _logger = logger;
        _rows = site.Signature.Outputs.Select(o => _batched ? o with { Shape = [1, .. o.Shape.AsSpan(1)] } : o).ToArray();
    }

    public ValueTask<ExecutionOutcome> InvokeAsync(RequestContext context, RequestHandler next)
    {
        var request = context.Request;
        var key = request.PredictionKey ?? KeyOf(request);
        return key is null || !IsOneRow(request) ? next(context) : AnswerAsync(context, next, key);
    }

    private async ValueTask<ExecutionOutcome> AnswerAsync(RequestContext context, RequestHandler next, string key)
    {
        var wanted = Wanted(context.Request);
        var query = new PrecomputedQuery(_model, key) { Version = _version, Outputs = wanted };
        var (answered, prediction) = await FindAsync(query, context.CancellationToken).ConfigureAwait(false);
        var age = TimeSpan.Zero;
        var result = answered ? Judge(prediction, wanted, out age) : PrecomputedResult.Failed;
        if (result == PrecomputedResult.Hit)
        {
            _metrics.Lookup(result);
            _metrics.Served(age);
            return new ExecutionOutcome(prediction!.Outputs, null, default) { Source = PredictionSources.Precomputed };
        }

        if (answered || !context.CancellationToken.IsCancellationRequested)
        {
            _metrics.Lookup(result);
        }

        var outcome = await next(context).ConfigureAwait(false);

        // A store that just failed would most likely fail the write too: only a store that answered is written to.
        if (_config.WriteBack && answered && outcome.Error is null && outcome.Source is null && outcome.Outputs is { } outputs)
        {
            _source.TryQueueWrite(new PrecomputedWrite(_model, _version, key, outputs, _time.GetUtcNow()), _config.Timeout, _metrics);
        }

        return outcome;
    }

    /// <summary>What the store's answer is worth: a hit only when it is this version's, fresh and complete.</summary>
    private PrecomputedResult Judge(PrecomputedPrediction? prediction, IReadOnlyList<TensorSpec> wanted, out TimeSpan age)
    {
        age = default;
        if (prediction is null)
        {
            return PrecomputedResult.Miss;
        }

        if (prediction.ModelVersion != _version)
        {
            return PrecomputedResult.VersionMismatch;
        }

        age = _time.GetUtcNow() - prediction.CreatedAt;
        if (age > _config.MaxAge)
        {
            return PrecomputedResult.Stale;
        }

        if (Check(prediction.Outputs, wanted) is { } problem)
        {
            PrecomputedLog.Unusable(_logger, _model, _version, problem);
            return PrecomputedResult.Incomplete;
        }

        return PrecomputedResult.Hit;
    }

    // The store decodes; the answer is still checked, so a store that returns the wrong thing cannot break a response.
    private static string? Check(IReadOnlyList<InferenceTensor> outputs, IReadOnlyList<TensorSpec> wanted)
    {
        for (var i = 0; i < wanted.Count; i++)
        {
            var spec = wanted[i];
            if (i >= outputs.Count || outputs[i] is not { } output || output.Name != spec.Name)
            {
                return $"it has no output '{spec.Name}'";
            }

            if (output.DataType != spec.DataType || !TensorShape.Matches(spec.Shape, output.Shape))
            {
                return $"its output '{spec.Name}' is {output.DataType.Name()} {TensorShape.Format(output.Shape)}, not {spec.DataType.Name()} {TensorShape.Format(spec.Shape)}";
            }
        }

        return outputs.Count == wanted.Count ? null : $"it has {outputs.Count} outputs where {wanted.Count} were asked for";
    }

    /// <summary>
    /// The store's answer, or (false, null) when it failed, did not answer in time, is failing and not due to be asked
    /// again yet, or the caller gave up.
    /// </summary>
    private async ValueTask<(bool Answered, PrecomputedPrediction? Prediction)> FindAsync(PrecomputedQuery query, CancellationToken cancellationToken)
    {
        if (!_source.ShouldAsk())
        {
            return (false, null);
        }

        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<PrecomputedPrediction?>? task = null;
        try
        {
            var pending = _source.Store.FindAsync(query, stop.Token);
            if (pending.IsCompletedSuccessfully)
            {
                // A store that answers synchronously (a local file) takes no timer.
                stop.Dispose();
                _source.Succeeded();
                return (true, pending.Result);
            }

            task = pending.AsTask();
            var found = await task.WaitAsync(_config.Timeout, _time, cancellationToken).ConfigureAwait(false);
            stop.Dispose();
            _source.Succeeded();
            return (true, found);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up: not the store's failure; the model stage after this answers Cancelled.
            Abandon(stop, task);
            return (false, null);
        }
        catch (TimeoutException)
        {
            Abandon(stop, task);
            _metrics.StoreFailed("find", "timeout");
            _source.Failed("find", $"no answer within {_config.Timeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");
            return (false, null);
        }
        catch (Exception ex)
        {
            Abandon(stop, task);
            _metrics.StoreFailed("find", "error");
            _source.Failed("find", ex.Message);
            return (false, null);
        }
    }

    // The token is cancelled, not disposed: the store may still be using it.
    private static void Abandon(CancellationTokenSource stop, Task? task)
    {
        stop.Cancel();
        if (task is not null)
        {
            PrecomputedSource.Abandon(task);
        }
    }

    private IReadOnlyList<TensorSpec> Wanted(InferenceRequest request)
    {
        if (request.RequestedOutputs is not { } requested)
        {
            return _rows;
        }

        // Signature order, whatever order the request names them in: the engine picks an answer holding every output by position.
        var wanted = new List<TensorSpec>(requested.Count);
        foreach (var row in _rows)
        {
            if (requested.Contains(row.Name))
            {
                wanted.Add(row);
            }
        }

        return wanted;
    }

    private bool IsOneRow(InferenceRequest request) =>
        !_batched || request.Inputs.Count == 0 || request.Inputs[0].Shape[0] == 1;

    /// <summary>The declared key input's single value as text (an INT64's decimal digits), or null.</summary>
    private string? KeyOf(InferenceRequest request)
    {
        if (_keyInput is null || request.FindInput(_keyInput.Name) is not { ElementCount: 1 } input)
        {
            return null;
        }

        if (input.DataType == DataType.Int64)
        {
            return input.AsSpan<long>()[0].ToString(CultureInfo.InvariantCulture);
        }

        try
        {
            var text = StrictUtf8.GetString(input.GetBytesElements()[0].Span);
            return text.Length == 0 ? null : text;
        }
        catch (DecoderFallbackException)
        {
            // Stored keys are text; bytes that are not UTF-8 cannot be one.
            return null;
        }
    }
}
