using Augur.Scheduling;

namespace Augur.Stages;

/// <summary>Runs the rest of a version's request pipeline (the next stage, or the scheduler after the last one).</summary>
internal delegate ValueTask<ExecutionOutcome> RequestHandler(RequestContext context);

/// <summary>
/// One step of a model version's request pipeline, between validation and the scheduler. A stage may answer the request
/// itself (a cache or precomputed hit: return an outcome without calling <c>next</c>), add or replace inputs (set
/// <see cref="RequestContext.Request"/>, then call <c>next</c>), pass it on, and see the outcome on the way back (to fill a
/// cache). Stages are created per loaded version by an <see cref="IRequestStageFactory"/> and disposed with it, so a
/// stage's state never outlives the version it was made for. One instance serves every request of its version
/// concurrently and must be thread-safe.
/// </summary>
internal interface IRequestStage
{
    /// <summary>
    /// True when this stage may answer without the model (a cache, precomputed predictions). The responses of a
    /// version with such a stage say where each answer came from, <c>model</c> included. Default false.
    /// </summary>
    bool AnswersWithoutModel => false;

    /// <summary>Handles one validated request; <paramref name="next"/> runs the stages after this one and the model.</summary>
    ValueTask<ExecutionOutcome> InvokeAsync(RequestContext context, RequestHandler next);
}
