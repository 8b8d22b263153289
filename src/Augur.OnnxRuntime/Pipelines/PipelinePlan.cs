using Augur.Models;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// A validated pipeline: the steps in execution order, every tensor's datatype and shape, and the signature the model
/// serves (the pipeline's inputs, and its outputs as their producers make them). Built from the definition and the graph
/// signature of each ONNX step; every disagreement is a <see cref="FormatException"/> naming the step, the tensor, and
/// its producer.
/// </summary>
internal sealed class PipelinePlan
{
    private PipelinePlan(IReadOnlyList<PipelineStep> order, IReadOnlyDictionary<string, PipelineTensor> tensors, ModelSignature signature)
    {
        Order = order;
        Tensors = tensors;
        Signature = signature;
        TextInputs = order.OfType<FeaturizerStep>()
            .Where(s => s.Featurizer is TextNgramsFeaturizer && tensors[s.Inputs[0]].Producer == PipelineTensor.PipelineInput)
            .Select(s => (s.Inputs[0], s))
            .ToArray();
    }

    /// <summary>The steps in the order they run.</summary>
    public IReadOnlyList<PipelineStep> Order { get; }

    /// <summary>Every tensor of the pipeline by name.</summary>
    public IReadOnlyDictionary<string, PipelineTensor> Tensors { get; }

    /// <summary>The pipeline inputs a <c>text_ngrams</c> step reads, with the step: checked as UTF-8 before any step runs (<see cref="TextInputCheck"/>).</summary>
    public IReadOnlyList<(string Input, FeaturizerStep Step)> TextInputs { get; }

    /// <summary>The pipeline's inputs and outputs; every first dimension is -1, the batch.</summary>
    public ModelSignature Signature { get; }

    /// <summary>Checks <paramref name="pipeline"/> whole; <paramref name="graphOf"/> gives each ONNX step's graph signature.</summary>
    public static PipelinePlan Create(PipelineDefinition pipeline, Func<OnnxStep, ModelSignature> graphOf) =>
        Create(pipeline, PipelineGraph.Order(pipeline), graphOf);

    /// <summary>Checks the types and shapes of <paramref name="order"/> (from <see cref="PipelineGraph.Order"/>).</summary>
    public static PipelinePlan Create(PipelineDefinition pipeline, IReadOnlyList<PipelineStep> order, Func<OnnxStep, ModelSignature> graphOf)
    {
        var tensors = pipeline.Inputs.ToDictionary(i => i.Name, i => new PipelineTensor(i.Name, i.DataType, i.Shape, PipelineTensor.PipelineInput), StringComparer.Ordinal);
        foreach (var step in order)
        {
            var inputs = step.Reads.Select(t => tensors[t]).ToArray();
            foreach (var input in inputs)
            {
                if (input.Shape.Length == 0 || input.Shape[0] != -1)
                {
                    throw new FormatException($"{step.Describe()} reads {input.Describe()}, whose first dimension is not the batch dimension (-1); every tensor a step reads is batched");
                }
            }

            var defined = step switch
            {
                FeaturizerStep featurizer => [Infer(featurizer, inputs)],
                OnnxStep onnx => Infer(onnx, inputs, graphOf(onnx)),
                _ => throw new InvalidOperationException($"unknown step type {step.GetType().Name}"),
            };
            foreach (var tensor in defined)
            {
                tensors.Add(tensor.Name, tensor);
            }
        }

        var outputs = pipeline.Outputs.Select(name => tensors[name]).ToArray();
        foreach (var output in outputs)
        {
            if (output.Shape.Length == 0 || output.Shape[0] != -1)
            {
                throw new FormatException($"output '{output.Name}': {output.Describe()} has no batch dimension (a dynamic first dimension, -1); pipeline outputs are batched");
            }
        }

        var signature = new ModelSignature(pipeline.Inputs, outputs.Select(o => new TensorSpec(o.Name, o.DataType, o.Shape)).ToArray());
        return new PipelinePlan(order, tensors, signature);
    }

    private static PipelineTensor Infer(FeaturizerStep step, PipelineTensor[] inputs) =>
        step.Featurizer.TryInfer(inputs, out var dataType, out var shape, out var problem)
            ? new PipelineTensor(step.Output, dataType, shape, PipelineTensor.StepProducer(step.Name))
            : throw new FormatException($"{step.Describe()}: {problem}");

    private static PipelineTensor[] Infer(OnnxStep step, PipelineTensor[] inputs, ModelSignature graph)
    {
        var where = step.Describe();
        foreach (var (name, _) in step.Inputs)
        {
            if (graph.FindInput(name) is null)
            {
                throw new FormatException($"{where}: inputs maps '{name}', which is not an input of {step.File}; its inputs: {Names(graph.Inputs)}");
            }
        }

        foreach (var input in graph.Inputs)
        {
            var index = IndexOf(step.Inputs, input.Name);
            if (index < 0)
            {
                throw new FormatException($"{where}: graph input '{input.Name}' ({Format(input)}) is not fed; inputs must map every input of {step.File} ({Names(graph.Inputs)}) to a pipeline tensor");
            }

            var tensor = inputs[index];
            var feeds = $"{where} feeds {tensor.Describe()} to graph input '{input.Name}'";
            if (tensor.DataType != input.DataType)
            {
                throw new FormatException($"{feeds}, which is {Format(input)}: the datatypes disagree");
            }

            if (!Agree(tensor.Shape, input.Shape))
            {
                throw new FormatException($"{feeds}, which is {Format(input)}: the shapes disagree");
            }

            if (input.Shape.Length == 0 || input.Shape[0] != -1)
            {
                throw new FormatException($"{where}: graph input '{input.Name}' is {Format(input)}, whose first dimension is fixed; a step's inputs are batched, so the graph's first dimension must be dynamic");
            }
        }

        var defined = new PipelineTensor[step.Outputs.Count];
        for (var i = 0; i < defined.Length; i++)
        {
            var (name, tensor) = step.Outputs[i];
            var output = graph.FindOutput(name)
                ?? throw new FormatException($"{where}: outputs maps '{name}', which is not an output of {step.File}; its outputs: {Names(graph.Outputs)}");
            defined[i] = new PipelineTensor(tensor, output.DataType, output.Shape, PipelineTensor.StepProducer(step.Name));
        }

        return defined;
    }

    /// <summary>True when the shapes have the same rank and every fixed dimension agrees (-1 agrees with anything).</summary>
    public static bool Agree(long[] a, long[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != -1 && b[i] != -1 && a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    private static int IndexOf(IReadOnlyList<(string Graph, string Tensor)> map, string graphName)
    {
        for (var i = 0; i < map.Count; i++)
        {
            if (map[i].Graph == graphName)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Format(TensorSpec spec) => $"{spec.DataType.Name()} {TensorShape.Format(spec.Shape)}";

    private static string Names(IEnumerable<TensorSpec> specs) => string.Join(", ", specs.Select(s => s.Name));
}
