using Augur.Models;
using Augur.Tensors;

namespace Augur.Sequences;

/// <summary>
/// A sequence model's two signatures: the model's own (every input and output, what the scheduler and backend see) and
/// the one clients see, without the inputs the engine feeds (state, windows, features) and the state outputs.
/// </summary>
internal sealed class SequenceSignature
{
    private SequenceSignature(ModelSignature model, ModelSignature client, int[] clientOutputs, int[] stateOutputs, Dictionary<string, int> sourceElements)
    {
        Model = model;
        Client = client;
        ClientOutputs = clientOutputs;
        StateOutputs = stateOutputs;
        SourceElements = sourceElements;
    }

    /// <summary>Every input and output of the model.</summary>
    public ModelSignature Model { get; }

    /// <summary>What clients send and receive.</summary>
    public ModelSignature Client { get; }

    /// <summary>For each client output, its index among the model's outputs.</summary>
    public int[] ClientOutputs { get; }

    /// <summary>For each state of the config, the index of its output among the model's outputs.</summary>
    public int[] StateOutputs { get; }

    /// <summary>The elements per reading of each client input that a window or feature reads.</summary>
    public IReadOnlyDictionary<string, int> SourceElements { get; }

    /// <summary>Checks the config against the model and splits the signature, or says what disagrees.</summary>
    public static bool TrySplit(ModelSignature model, int maxBatchSize, SequenceBatchingConfig config, out SequenceSignature split, out string? problem)
    {
        split = null!;
        problem = Check(model, maxBatchSize, config, out var sources);
        if (problem is not null)
        {
            return false;
        }

        var fed = config.States.Select(s => s.InputName).Concat(config.Windows.Select(w => w.InputName)).Concat(config.Features.Select(f => f.InputName)).ToHashSet();
        var stateOutputs = config.States.Select(s => model.IndexOfOutput(s.OutputName)).ToArray();
        var clientOutputs = Enumerable.Range(0, model.Outputs.Count).Where(i => !stateOutputs.Contains(i)).ToArray();
        if (clientOutputs.Length == 0)
        {
            problem = "sequence_batching.state uses every model output as state; the model has nothing left to return";
            return false;
        }

        var client = new ModelSignature(model.Inputs.Where(i => !fed.Contains(i.Name)).ToArray(), clientOutputs.Select(i => model.Outputs[i]).ToArray());
        split = new SequenceSignature(model, client, clientOutputs, stateOutputs, sources);
        return true;
    }

    private static string? Check(ModelSignature model, int maxBatchSize, SequenceBatchingConfig config, out Dictionary<string, int> sources)
    {
        sources = [];
        var batch = maxBatchSize > 0 ? 1 : 0;
        foreach (var state in config.States)
        {
            var problem = Expect(model.FindInput(state.InputName), "input", state.InputName, "sequence_batching.state", state.DataType, state.Dims, batch)
                ?? Expect(model.FindOutput(state.OutputName), "output", state.OutputName, "sequence_batching.state", state.DataType, state.Dims, batch);
            if (problem is not null)
            {
                return problem;
            }
        }

        var fed = config.States.Select(s => s.InputName).Concat(config.Windows.Select(w => w.InputName)).Concat(config.Features.Select(f => f.InputName)).ToHashSet();
        foreach (var (input, source, elements, section) in config.Windows.Select(w => (w.InputName, w.Source, (long)w.Length, "sequence_batching.window"))
                     .Concat(config.Features.Select(f => (f.InputName, f.Source, (long)f.Aggregates.Count, "sequence_batching.features"))))
        {
            var sourceSpec = model.FindInput(source);
            if (sourceSpec is null || fed.Contains(source))
            {
                return $"{section} reads input '{source}', which is not a client input of the model; its inputs are: {string.Join(", ", model.Inputs.Where(i => !fed.Contains(i.Name)).Select(i => i.Name))}";
            }

            var dims = sourceSpec.Shape.AsSpan(batch);
            if (sourceSpec.DataType != DataType.Fp32 || dims.ToArray().Any(d => d < 0) || !TensorShape.TryGetElementCount(dims, out var perReading, out _))
            {
                return $"{section} reads input '{source}' ({sourceSpec}), but only FP32 inputs of fixed size can be windowed";
            }

            sources[source] = (int)perReading;
            var target = model.FindInput(input);
            if (target is null)
            {
                return $"{section} feeds input '{input}', but the model's inputs are: {string.Join(", ", model.Inputs.Select(i => i.Name))}";
            }

            var targetDims = target.Shape.AsSpan(batch);
            if (target.DataType != DataType.Fp32 || (batch == 1 && target.Shape[0] != -1) || targetDims.ToArray().Any(d => d < 0)
                || !TensorShape.TryGetElementCount(targetDims, out var count, out _) || count != elements * perReading)
            {
                return $"{section} feeds input '{input}' ({target}) {elements} × {perReading} FP32 values; the input must be FP32 with that many elements per sample";
            }
        }

        return null;
    }

    private static string? Expect(TensorSpec? spec, string kind, string name, string section, DataType dataType, long[] dims, int batch)
    {
        if (spec is null)
        {
            return $"{section} names {kind} '{name}', which the model does not have";
        }

        var expected = batch == 1 ? new long[] { -1 }.Concat(dims).ToArray() : dims;
        return spec.DataType == dataType && TensorShape.Matches(spec.Shape, expected) && spec.Shape.Length == expected.Length
            ? null
            : $"{section} declares {kind} '{name}' as {dataType.Name()} {TensorShape.Format(expected)}, but the model has {spec}";
    }
}
