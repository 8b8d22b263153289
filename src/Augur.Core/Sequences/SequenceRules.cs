using Augur.Engine;
using Augur.Errors;
using Augur.Inference;

namespace Augur.Sequences;

/// <summary>Checks a request's sequence parameters against the model before it reaches the sequence batcher.</summary>
internal static class SequenceRules
{
    /// <summary>Before the signature checks: sequence parameters on the right kind of model, no engine-fed input sent.</summary>
    public static InferenceError? CheckBefore(InferenceRequest request, LoadedVersion version)
    {
        var sequences = version.Sequences;
        if (sequences is null)
        {
            return request.Sequence is null ? null : SequenceErrors.NotASequenceModel(version.Name);
        }

        if (request.Sequence is null)
        {
            return SequenceErrors.MissingSequenceId(version.Name);
        }

        if (string.IsNullOrEmpty(request.Sequence.Id))
        {
            return SequenceErrors.EmptySequenceId(version.Name);
        }

        var config = sequences.Config;
        foreach (var input in request.Inputs)
        {
            var section = input is null ? null
                : config.States.Any(s => s.InputName == input.Name) ? "sequence_batching.state"
                : config.Windows.Any(w => w.InputName == input.Name) ? "sequence_batching.window"
                : config.Features.Any(f => f.InputName == input.Name) ? "sequence_batching.features"
                : null;
            if (section is not null)
            {
                return SequenceErrors.EngineFedInput(version.Name, input!.Name, section);
            }
        }

        return null;
    }

    /// <summary>After the signature checks: one sample per step, since a step is one point of its sequence.</summary>
    public static InferenceError? CheckAfter(InferenceRequest request, LoadedVersion version)
    {
        if (version.Sequences is null || version.MaxBatchSize == 0 || request.Inputs.Count == 0)
        {
            return null;
        }

        var rows = request.Inputs[0].Shape[0];
        return rows == 1 ? null : SequenceErrors.OneReadingPerStep(version.Name, request.Sequence!.Id, rows);
    }
}
