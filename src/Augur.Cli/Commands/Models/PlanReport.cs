using System.Globalization;
using System.Text;
using Augur.Models;

namespace Augur.Cli.Commands.Models;

/// <summary>
/// The text <c>augur models plan</c> prints: per version its steps (a step run through a shared sub-plan names the
/// versions it is computed with), what it shares (a weight names the versions holding it too), and the notes of its
/// backend; then the totals over every loaded version: shared sub-plans, weights held once and the bytes saved.
/// </summary>
internal static class PlanReport
{
    public static string Format(IReadOnlyList<VersionPlan> plans, string? only, string switches)
    {
        // Who holds what, over every loaded version, whichever are printed.
        var holders = plans
            .SelectMany(p => (p.Plan?.Shared ?? []).DistinctBy(r => (r.Kind, r.Key)).Select(r => (Resource: r, Holder: Name(p))))
            .GroupBy(h => (h.Resource.Kind, h.Resource.Key))
            .ToDictionary(g => g.Key, g => g.Select(h => h.Holder).ToArray());
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{plans.Count} model version(s) loaded; {switches}");
        foreach (var plan in plans.Where(p => only is null || p.Model == only))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"{Name(plan)} ({plan.Platform})");
            if (plan.Plan is not { } modelPlan)
            {
                text.AppendLine("  its backend does not describe a plan (a model in worker processes runs as the worker loaded it)");
                continue;
            }

            var width = modelPlan.Steps.Max(s => s.Name.Length);
            foreach (var step in modelPlan.Steps)
            {
                var shared = step.SharedKey is { } key ? $"  [shared sub-plan {key}, with {Others(holders[(SharedResource.SubPlan, key)], plan) ?? "no other loaded version"}]" : "";
                text.AppendLine(CultureInfo.InvariantCulture, $"  {step.Name.PadRight(width)}  {step.Runs}{shared}");
            }

            foreach (var weight in modelPlan.Shared.Where(r => r.Kind == SharedResource.Weight))
            {
                var others = Others(holders[(weight.Kind, weight.Key)], plan);
                text.AppendLine(CultureInfo.InvariantCulture, $"  weight {weight.Description}, {Bytes(weight.Bytes)}: {(others is null ? "in the shared store, no other loaded version holds it" : $"held once with {others}")}");
            }

            foreach (var note in modelPlan.Notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {note}");
            }
        }

        text.AppendLine();
        var resources = plans.SelectMany(p => p.Plan?.Shared ?? []).DistinctBy(r => (r.Kind, r.Key)).ToArray();
        var subPlans = resources.Where(r => r.Kind == SharedResource.SubPlan).ToArray();
        text.AppendLine(CultureInfo.InvariantCulture, $"shared sub-plans: {subPlans.Count(s => holders[(s.Kind, s.Key)].Length > 1)} computed for more than one version");
        foreach (var subPlan in subPlans)
        {
            var by = holders[(subPlan.Kind, subPlan.Key)];
            text.AppendLine(CultureInfo.InvariantCulture, $"  {subPlan.Key} {subPlan.Description}: {by.Length} version(s): {string.Join(", ", by)}");
        }

        var weights = resources.Where(r => r.Kind == SharedResource.Weight).ToArray();
        var held = weights.Sum(w => w.Bytes);
        var saved = weights.Sum(w => w.Bytes * (holders[(w.Kind, w.Key)].Length - 1));
        var sharedWeights = weights.Count(w => holders[(w.Kind, w.Key)].Length > 1);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"shared weights: {weights.Length} initializer(s) in the store, {Bytes(held)} held once; {sharedWeights} held by more than one version, saving {Bytes(saved)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"fused pipelines: {plans.Count(p => p.Plan?.Notes.Any(n => n.StartsWith("fused:", StringComparison.Ordinal)) == true)}");
        return text.ToString();
    }

    private static string Name(VersionPlan plan) => $"{plan.Model} version {plan.Version.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The other holders, or null when there is none.</summary>
    private static string? Others(string[] holders, VersionPlan plan)
    {
        var others = holders.Where(h => h != Name(plan)).ToArray();
        return others.Length == 0 ? null : string.Join(", ", others);
    }

    private static string Bytes(long bytes) => bytes >= 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB");
}
