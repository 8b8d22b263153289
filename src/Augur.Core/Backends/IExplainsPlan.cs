using Augur.Models;

namespace Augur.Backends;

/// <summary>
/// Implemented by an <see cref="IModel"/> whose backend optimises it (shared weights, fused or shared steps), to say how
/// it runs: <see cref="InferenceEngine.Plans"/> and <c>augur models plan</c> read it. Must be cheap and must not throw.
/// </summary>
public interface IExplainsPlan
{
    /// <summary>The version's plan as loaded.</summary>
    ModelPlan Plan { get; }
}
