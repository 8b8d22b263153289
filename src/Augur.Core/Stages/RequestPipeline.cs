using Augur.Engine;
using Augur.Inference;
using Augur.Scheduling;

namespace Augur.Stages;

/// <summary>
/// A version's ordered stages in front of its scheduler. The chain of handlers is composed once, when the version
/// loads, so a request allocates one <see cref="RequestContext"/> and no closures; a version without stages calls its
/// scheduler directly and allocates nothing here.
/// </summary>
internal sealed class RequestPipeline : IAsyncDisposable
{
    private readonly IRequestStage[] _stages;
    private readonly RequestHandler _first;
    private readonly DynamicBatcher _scheduler;

    public RequestPipeline(IReadOnlyList<IRequestStage> stages, DynamicBatcher scheduler)
    {
        _stages = stages.ToArray();
        _scheduler = scheduler;
        AnswersWithoutModel = _stages.Any(stage => stage.AnswersWithoutModel);
        RequestHandler next = static context => context.Version.Scheduler.ExecuteAsync(context.Request, context.Arrival, context.CancellationToken);
        for (var i = _stages.Length - 1; i >= 0; i--)
        {
            var (stage, inner) = (_stages[i], next);
            next = context => stage.InvokeAsync(context, inner);
        }

        _first = next;
    }

    /// <summary>The stages, outermost first.</summary>
    public IReadOnlyList<IRequestStage> Stages => _stages;

    /// <summary>
    /// True when a stage may answer without the model (a cache, precomputed predictions): responses then say where they
    /// came from (<see cref="InferenceResponse.PredictionSource"/>), <c>model</c> included.
    /// </summary>
    public bool AnswersWithoutModel { get; }

    public ValueTask<ExecutionOutcome> ExecuteAsync(InferenceRequest request, LoadedVersion version, long arrival, CancellationToken cancellationToken) =>
        _stages.Length == 0
            ? _scheduler.ExecuteAsync(request, arrival, cancellationToken)
            : _first(new RequestContext(request, version, arrival, cancellationToken));

    public async ValueTask DisposeAsync()
    {
        foreach (var stage in _stages)
        {
            switch (stage)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
