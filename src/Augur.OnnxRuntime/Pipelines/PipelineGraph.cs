namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// The data flow of a pipeline, checked before any ONNX file is opened: every tensor name is defined once (by a pipeline
/// input or one step), every tensor a step reads and every declared output is defined, and the steps form no cycle.
/// Gives the execution order: a topological order of the data flow, ties broken by the order the steps are listed in.
/// </summary>
internal static class PipelineGraph
{
    /// <summary>The steps in execution order; a <see cref="FormatException"/> names the first problem found.</summary>
    public static IReadOnlyList<PipelineStep> Order(PipelineDefinition pipeline)
    {
        var definedBy = Definitions(pipeline);
        foreach (var step in pipeline.Steps)
        {
            foreach (var tensor in step.Reads)
            {
                if (!definedBy.ContainsKey(tensor))
                {
                    throw new FormatException($"{step.Describe()} reads tensor '{tensor}', which no pipeline input or step defines; defined: {string.Join(", ", definedBy.Keys)}");
                }
            }
        }

        foreach (var output in pipeline.Outputs)
        {
            if (!definedBy.ContainsKey(output))
            {
                throw new FormatException($"output '{output}' is never produced: no pipeline input or step defines it; defined: {string.Join(", ", definedBy.Keys)}");
            }
        }

        // For each step, the steps whose tensors it reads (pipeline inputs have no step).
        var feeders = pipeline.Steps.ToDictionary(
            s => s,
            s => s.Reads.Select(t => definedBy[t]).OfType<PipelineStep>().Distinct().ToArray());
        var order = new List<PipelineStep>();
        var remaining = pipeline.Steps.ToList();
        while (remaining.Count > 0)
        {
            var ready = remaining.FirstOrDefault(s => feeders[s].All(order.Contains));
            if (ready is null)
            {
                throw new FormatException($"the data flow has a cycle: {Cycle(remaining, feeders, definedBy)}");
            }

            order.Add(ready);
            remaining.Remove(ready);
        }

        return order;
    }

    private static Dictionary<string, PipelineStep?> Definitions(PipelineDefinition pipeline)
    {
        // null: a pipeline input.
        var definedBy = new Dictionary<string, PipelineStep?>(StringComparer.Ordinal);
        foreach (var input in pipeline.Inputs)
        {
            definedBy.Add(input.Name, null);
        }

        foreach (var step in pipeline.Steps)
        {
            foreach (var tensor in step.Defines)
            {
                if (definedBy.TryGetValue(tensor, out var first))
                {
                    throw new FormatException(first == step
                        ? $"{step.Describe()} defines tensor '{tensor}' twice; a tensor name is defined once"
                        : $"tensor '{tensor}' is defined twice: by {(first is null ? "a pipeline input" : first.Describe())} and by {step.Describe()}; a tensor name is defined once");
                }

                definedBy.Add(tensor, step);
            }
        }

        return definedBy;
    }

    /// <summary>
    /// One cycle among <paramref name="remaining"/> (steps none of which could be ordered, so each has a feeder among them),
    /// in data-flow order: <c>step 'a' → (x) → step 'b' → (y) → step 'a'</c>.
    /// </summary>
    private static string Cycle(List<PipelineStep> remaining, Dictionary<PipelineStep, PipelineStep[]> feeders, Dictionary<string, PipelineStep?> definedBy)
    {
        // Walking from any remaining step to a remaining feeder must come back to a step already seen.
        var walk = new List<PipelineStep> { remaining[0] };
        while (true)
        {
            var next = feeders[walk[^1]].First(remaining.Contains);
            var seen = walk.IndexOf(next);
            if (seen >= 0)
            {
                // walk[seen..] each reads from the next one; reversed, each feeds the next.
                var cycle = walk[seen..];
                cycle.Reverse();
                // Told from the step listed first, whichever step the walk started at.
                var first = cycle.IndexOf(cycle.MinBy(remaining.IndexOf)!);
                cycle = [.. cycle[first..], .. cycle[..first], cycle[first]];
                var text = cycle[0].Describe();
                for (var i = 1; i < cycle.Count; i++)
                {
                    var tensor = cycle[i].Reads.First(t => definedBy[t] == cycle[i - 1]);
                    text += $" → ({tensor}) → {cycle[i].Describe()}";
                }

                return text;
            }

            walk.Add(next);
        }
    }
}
