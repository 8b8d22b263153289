using Augur.Models;
using Augur.OnnxRuntime.Pipelines;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>The data flow validated: order, cycles, definitions, datatypes and shapes, against given graph signatures.</summary>
public sealed class PipelinePlanTests
{
    // head.onnx: features FP32 [-1, 8] → score FP32 [-1, 1], logits FP32 [-1, 2].
    private static readonly ModelSignature Head = new(
        [new TensorSpec("features", DataType.Fp32, [-1, 8])],
        [new TensorSpec("score", DataType.Fp32, [-1, 1]), new TensorSpec("logits", DataType.Fp32, [-1, 2])]);

    private static PipelinePlan Plan(string steps, string inputs = """[{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}]""", string outputs = """["score"]""", ModelSignature? head = null)
    {
        var json = $$"""{"inputs": {{inputs}}, "outputs": {{outputs}}, "steps": [{{steps}}]}""";
        Assert.True(PipelineReader.TryParse(json, out var pipeline, out var problem), problem);
        return PipelinePlan.Create(pipeline, step => step.File == "head.onnx" ? head ?? Head : throw new InvalidOperationException(step.File));
    }

    private static string Refusal(string steps, string inputs = """[{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}]""", string outputs = """["score"]""", ModelSignature? head = null) =>
        Assert.Throws<FormatException>(() => Plan(steps, inputs, outputs, head)).Message;

    private const string Featurize = """{"name": "featurize", "featurizer": "text_ngrams", "inputs": ["text"], "outputs": ["features"], "settings": {"buckets": 8}}""";
    private const string Classify = """{"name": "classify", "onnx": "head.onnx", "inputs": {"features": "features"}, "outputs": {"score": "score"}}""";

    [Fact]
    public void Steps_listed_in_any_order_run_in_the_order_of_the_data_flow_and_the_signature_is_inferred()
    {
        var plan = Plan($"{Classify}, {Featurize}");

        Assert.Equal(["featurize", "classify"], plan.Order.Select(s => s.Name));
        var output = Assert.Single(plan.Signature.Outputs);
        Assert.Equal("score: FP32 [-1,1]", output.ToString());
        Assert.Equal(("text", DataType.Bytes), (plan.Signature.Inputs[0].Name, plan.Signature.Inputs[0].DataType));
        Assert.Equal([-1L, 8], plan.Tensors["features"].Shape);
        Assert.Equal("step 'featurize'", plan.Tensors["features"].Producer);
    }

    [Fact]
    public void Independent_steps_keep_the_order_they_are_listed_in()
    {
        var plan = Plan(
            """
            {"name": "b", "featurizer": "hash_buckets", "inputs": ["text"], "outputs": ["hb"], "settings": {"buckets": 8}},
            {"name": "a", "featurizer": "hash_buckets", "inputs": ["text"], "outputs": ["ha"], "settings": {"buckets": 8}}
            """,
            outputs: """["ha", "hb"]""");

        Assert.Equal(["b", "a"], plan.Order.Select(s => s.Name));
        Assert.Equal(["ha", "hb"], plan.Signature.Outputs.Select(o => o.Name));
    }

    [Fact]
    public void A_cycle_is_refused_naming_the_steps_and_tensors_on_it()
    {
        var problem = Refusal(
            """
            {"name": "start", "featurizer": "one_hot", "inputs": ["code"], "outputs": ["seed"], "settings": {"categories": [1, 2]}},
            {"name": "a", "featurizer": "concat", "inputs": ["seed", "z"], "outputs": ["x"]},
            {"name": "b", "featurizer": "scale", "inputs": ["x"], "outputs": ["y"], "settings": {"offset": [0], "scale": [1]}},
            {"name": "c", "featurizer": "scale", "inputs": ["y"], "outputs": ["z"], "settings": {"offset": [0], "scale": [1]}}
            """,
            inputs: """[{"name": "code", "datatype": "INT64", "shape": [-1, 1]}]""",
            outputs: """["z"]""");

        Assert.Equal("the data flow has a cycle: step 'a' (concat) → (x) → step 'b' (scale) → (y) → step 'c' (scale) → (z) → step 'a' (concat)", problem);
    }

    [Fact]
    public void A_step_that_reads_its_own_output_is_a_cycle_of_one()
    {
        var problem = Refusal("""{"name": "loop", "featurizer": "concat", "inputs": ["text", "f"], "outputs": ["f"]}""", outputs: """["f"]""");

        Assert.Equal("the data flow has a cycle: step 'loop' (concat) → (f) → step 'loop' (concat)", problem);
    }

    [Fact]
    public void A_datatype_mismatch_names_the_producer_the_consumer_and_the_tensor()
    {
        var head = new ModelSignature([new TensorSpec("features", DataType.Fp64, [-1, 8])], Head.Outputs);

        Assert.Equal(
            "step 'classify' (head.onnx) feeds tensor 'features' (FP32 [-1,8], from step 'featurize') to graph input 'features', which is FP64 [-1,8]: the datatypes disagree",
            Refusal($"{Featurize}, {Classify}", head: head));
    }

    [Fact]
    public void A_shape_mismatch_names_the_producer_the_consumer_and_the_tensor()
    {
        var featurize = Featurize.Replace("\"buckets\": 8", "\"buckets\": 16", StringComparison.Ordinal);

        Assert.Equal(
            "step 'classify' (head.onnx) feeds tensor 'features' (FP32 [-1,16], from step 'featurize') to graph input 'features', which is FP32 [-1,8]: the shapes disagree",
            Refusal($"{featurize}, {Classify}"));
    }

    [Fact]
    public void A_dynamic_dimension_agrees_with_a_fixed_one()
    {
        var head = new ModelSignature([new TensorSpec("features", DataType.Fp32, [-1, -1])], Head.Outputs);

        Assert.Equal(["featurize", "classify"], Plan($"{Featurize}, {Classify}", head: head).Order.Select(s => s.Name));
    }

    [Fact]
    public void A_featurizer_given_a_tensor_of_another_type_names_it_and_its_producer()
    {
        Assert.Equal(
            "step 'featurize' (text_ngrams): text_ngrams reads BYTES [B, 1], but tensor 'text' (FP32 [-1,1], from pipeline input) is FP32",
            Refusal(Featurize, inputs: """[{"name": "text", "datatype": "FP32", "shape": [-1, 1]}]""", outputs: """["features"]"""));
    }

    [Theory]
    [InlineData("""["missing"]""", "output 'missing' is never produced: no pipeline input or step defines it; defined: text, features, score")]
    [InlineData("""["score", "logits"]""", "output 'logits' is never produced: no pipeline input or step defines it; defined: text, features, score")]
    public void A_declared_output_nobody_produces_is_refused(string outputs, string problem) =>
        Assert.Equal(problem, Refusal($"{Featurize}, {Classify}", outputs: outputs));

    [Fact]
    public void A_tensor_nobody_defines_is_refused_naming_the_step_that_reads_it()
    {
        var classify = Classify.Replace("\"features\": \"features\"", "\"features\": \"feature\"", StringComparison.Ordinal);

        Assert.Equal("step 'classify' (head.onnx) reads tensor 'feature', which no pipeline input or step defines; defined: text, features, score", Refusal($"{Featurize}, {classify}"));
    }

    [Theory]
    [InlineData("""{"name": "again", "featurizer": "hash_buckets", "inputs": ["text"], "outputs": ["features"], "settings": {"buckets": 8}}""",
        "tensor 'features' is defined twice: by step 'featurize' (text_ngrams) and by step 'again' (hash_buckets); a tensor name is defined once")]
    [InlineData("""{"name": "again", "featurizer": "hash_buckets", "inputs": ["text"], "outputs": ["text"], "settings": {"buckets": 8}}""",
        "tensor 'text' is defined twice: by a pipeline input and by step 'again' (hash_buckets); a tensor name is defined once")]
    [InlineData("""{"name": "again", "onnx": "head.onnx", "inputs": {"features": "features"}, "outputs": {"score": "twice", "logits": "twice"}}""",
        "step 'again' (head.onnx) defines tensor 'twice' twice; a tensor name is defined once")]
    public void A_tensor_defined_twice_is_refused_naming_both_definitions(string step, string problem) =>
        Assert.Equal(problem, Refusal($"{Featurize}, {Classify}, {step}"));

    [Fact]
    public void Every_graph_input_must_be_fed_and_only_graph_names_may_be_mapped()
    {
        var twoInputs = new ModelSignature([new TensorSpec("features", DataType.Fp32, [-1, 8]), new TensorSpec("mask", DataType.Fp32, [-1, 8])], Head.Outputs);
        var misnamed = Classify.Replace("{\"score\": \"score\"}", "{\"probability\": \"score\"}", StringComparison.Ordinal);

        Assert.Equal(
            "step 'classify' (head.onnx): graph input 'mask' (FP32 [-1,8]) is not fed; inputs must map every input of head.onnx (features, mask) to a pipeline tensor",
            Refusal($"{Featurize}, {Classify}", head: twoInputs));
        Assert.Equal(
            "step 'classify' (head.onnx): outputs maps 'probability', which is not an output of head.onnx; its outputs: score, logits",
            Refusal($"{Featurize}, {misnamed}"));
    }

    [Fact]
    public void A_graph_whose_first_dimension_is_fixed_cannot_be_a_batched_step()
    {
        var single = new ModelSignature([new TensorSpec("features", DataType.Fp32, [1, 8])], Head.Outputs);

        Assert.Equal(
            "step 'classify' (head.onnx): graph input 'features' is FP32 [1,8], whose first dimension is fixed; a step's inputs are batched, so the graph's first dimension must be dynamic",
            Refusal($"{Featurize}, {Classify}", head: single));
    }

    [Fact]
    public void A_step_input_or_output_without_the_batch_dimension_is_refused()
    {
        var unbatched = new ModelSignature(Head.Inputs, [new TensorSpec("score", DataType.Fp32, [1])]);
        var reads = """{"name": "after", "featurizer": "scale", "inputs": ["score"], "outputs": ["scaled"], "settings": {"offset": [0], "scale": [2]}}""";

        Assert.Equal(
            "output 'score': tensor 'score' (FP32 [1], from step 'classify') has no batch dimension (a dynamic first dimension, -1); pipeline outputs are batched",
            Refusal($"{Featurize}, {Classify}", head: unbatched));
        Assert.Equal(
            "step 'after' (scale) reads tensor 'score' (FP32 [1], from step 'classify'), whose first dimension is not the batch dimension (-1); every tensor a step reads is batched",
            Refusal($"{Featurize}, {Classify}, {reads}", outputs: """["scaled"]""", head: unbatched));
    }
}
