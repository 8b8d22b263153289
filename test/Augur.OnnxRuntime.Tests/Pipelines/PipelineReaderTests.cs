using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>pipeline.json read into a definition, and each mistake of form refused with the step and setting named.</summary>
public sealed class PipelineReaderTests
{
    private const string Example = """
        {
          "inputs":  [{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}],
          "outputs": ["score"],
          "steps": [
            {"name": "featurize", "featurizer": "text_ngrams",
             "inputs": ["text"], "outputs": ["features"],
             "settings": {"lowercase": true, "ngram_min": 1, "ngram_max": 2, "buckets": 4096, "seed": 0}},
            {"name": "classify", "onnx": "classifier.onnx",
             "inputs": {"features": "features"}, "outputs": {"score": "score"}}
          ]
        }
        """;

    [Fact]
    public void The_specs_example_reads_into_its_inputs_outputs_and_steps()
    {
        Assert.True(PipelineReader.TryParse(Example, out var pipeline, out var problem), problem);

        var input = Assert.Single(pipeline.Inputs);
        Assert.Equal("text: BYTES [-1,1]", input.ToString());
        Assert.Equal(["score"], pipeline.Outputs);
        var featurize = Assert.IsType<FeaturizerStep>(pipeline.Steps[0]);
        var ngrams = Assert.IsType<TextNgramsFeaturizer>(featurize.Featurizer);
        Assert.Equal(("featurize", "features", 4096, 1, 2, true, 0u), (featurize.Name, featurize.Output, ngrams.Buckets, ngrams.NgramMin, ngrams.NgramMax, ngrams.Lowercase, ngrams.Seed));
        Assert.Equal(["text"], featurize.Inputs);
        var classify = Assert.IsType<OnnxStep>(pipeline.Steps[1]);
        Assert.Equal(("classify", "classifier.onnx"), (classify.Name, classify.File));
        Assert.Equal([("features", "features")], classify.Inputs);
        Assert.Equal([("score", "score")], classify.Outputs);
    }

    [Theory]
    [InlineData("""{"name": "s", "inputs": ["text"], "outputs": ["f"]}""",
        "pipeline.json: step 's' is neither an ONNX step (\"onnx\": \"file.onnx\") nor a featurizer (\"featurizer\": one of scale, one_hot, hash_buckets, text_ngrams, concat)")]
    [InlineData("""{"name": "s", "onnx": "a.onnx", "featurizer": "concat", "inputs": ["text"], "outputs": ["f"]}""",
        "pipeline.json: step 's' has both 'onnx' and 'featurizer'; a step is one of them")]
    [InlineData("""{"name": "s", "featurizer": "bag_of_words", "inputs": ["text"], "outputs": ["f"]}""",
        "pipeline.json: step 's': unknown featurizer 'bag_of_words'; known: scale, one_hot, hash_buckets, text_ngrams, concat")]
    [InlineData("""{"name": "s", "featurizer": "text_ngrams", "inputs": ["text"], "outputs": ["f"], "settings": {"buckets": 8, "n": 2}}""",
        "pipeline.json: step 's': unknown setting 'n' for text_ngrams; known: buckets, ngram_min, ngram_max, lowercase, seed")]
    [InlineData("""{"name": "s", "featurizer": "text_ngrams", "inputs": ["text"], "outputs": ["f"], "settings": {"buckets": -3}}""",
        "pipeline.json: step 's': setting 'buckets' must be an integer from 1 to 1048576, not -3")]
    [InlineData("""{"name": "s", "featurizer": "text_ngrams", "inputs": ["text"], "outputs": ["f", "g"], "settings": {"buckets": 8}}""",
        "pipeline.json: step 's': a featurizer defines one tensor, but outputs lists 2")]
    [InlineData("""{"name": "s", "featurizer": "text_ngrams", "inputs": {"text": "text"}, "outputs": ["f"], "settings": {"buckets": 8}}""",
        "pipeline.json: step 's': inputs and outputs of a featurizer are lists of pipeline tensor names")]
    [InlineData("""{"name": "s", "onnx": "a.onnx", "inputs": ["text"], "outputs": {"y": "f"}}""",
        "pipeline.json: step 's': inputs of an ONNX step must be an object mapping each graph input name to a pipeline tensor name, not [\"text\"]")]
    [InlineData("""{"name": "s", "onnx": "a.onnx", "inputs": {"x": "text"}, "outputs": {}}""",
        "pipeline.json: step 's': outputs maps no graph output")]
    [InlineData("""{"name": "s", "onnx": "a.onnx", "inputs": {"x": "text", "x": "text"}, "outputs": {"y": "f"}}""",
        "pipeline.json: step 's': inputs maps graph input 'x' twice")]
    [InlineData("""{"name": "s", "onnx": "../a.onnx", "inputs": {"x": "text"}, "outputs": {"y": "f"}}""",
        "pipeline.json: step 's': onnx '../a.onnx' must name a file in the version folder, without a path")]
    [InlineData("""{"name": "s", "onnx": "a.onnx", "inputs": {"x": "text"}, "outputs": {"y": "f"}, "settings": {}}""",
        "pipeline.json: step 's': 'settings' are for featurizers; an ONNX step takes its session settings from config.json (backend_settings.onnxruntime)")]
    [InlineData("""{"name": "s", "onnx": "a.onnx", "inputs": {"x": "text"}, "outputs": {"y": "f"}, "timeout": 5}""",
        "pipeline.json: step 's': unknown property 'timeout'; known: name, onnx, featurizer, inputs, outputs, settings")]
    [InlineData("""{"onnx": "a.onnx", "inputs": {"x": "text"}, "outputs": {"y": "f"}}""",
        "pipeline.json: steps[0] needs 'name'")]
    [InlineData("""{"name": "", "onnx": "a.onnx", "inputs": {"x": "text"}, "outputs": {"y": "f"}}""",
        "pipeline.json: steps[0].name must be a non-empty name, not \"\"")]
    public void A_step_of_the_wrong_form_is_refused_naming_it(string step, string problem) =>
        AssertRefused($$"""{"inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}], "outputs": ["f"], "steps": [{{step}}]}""", problem);

    [Theory]
    [InlineData("""{"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1, 1]}], "outputs": ["f"], "steps": [STEP]}""",
        "pipeline.json: input 'text': the first dimension of shape [1,1] must be -1, the batch dimension (pipelines batch)")]
    [InlineData("""{"inputs": [{"name": "text", "datatype": "STRING", "shape": [-1, 1]}], "outputs": ["f"], "steps": [STEP]}""",
        "pipeline.json: input 'text': datatype \"STRING\" is not one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES")]
    [InlineData("""{"inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1, 1], "dims": [1]}], "outputs": ["f"], "steps": [STEP]}""",
        "pipeline.json: input 'text': unknown property 'dims'; known: name, datatype, shape")]
    [InlineData("""{"inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}, {"name": "text", "datatype": "FP32", "shape": [-1]}], "outputs": ["f"], "steps": [STEP]}""",
        "pipeline.json: input 'text' is declared twice")]
    [InlineData("""{"inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}], "outputs": ["f", "f"], "steps": [STEP]}""",
        "pipeline.json: outputs lists 'f' twice")]
    [InlineData("""{"inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}], "outputs": ["f"], "steps": [STEP, STEP]}""",
        "pipeline.json: two steps are named 's'; step names are distinct")]
    [InlineData("""{"inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}], "outputs": ["f"], "steps": []}""",
        "pipeline.json: steps is empty; a pipeline has at least one step")]
    [InlineData("""{"inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}], "steps": [STEP]}""",
        "pipeline.json: needs 'outputs' (the pipeline tensors returned, e.g. [\"probability\"])")]
    [InlineData("""{"inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}], "outputs": ["f"], "steps": [STEP], "version": 2}""",
        "pipeline.json: unknown property 'version'; known: inputs, outputs, steps")]
    [InlineData("""{"inputs": [], "outputs": ["f"], "steps": [STEP]}""",
        "pipeline.json: inputs is empty; a pipeline reads at least one tensor")]
    public void A_pipeline_of_the_wrong_form_is_refused_naming_what_is_wrong(string json, string problem) =>
        AssertRefused(json.Replace("STEP", """{"name": "s", "featurizer": "hash_buckets", "inputs": ["text"], "outputs": ["f"], "settings": {"buckets": 8}}""", StringComparison.Ordinal), problem);

    [Fact]
    public void Text_that_is_not_json_is_refused_as_such()
    {
        Assert.False(PipelineReader.TryParse("{\"inputs\": [", out _, out var problem));
        Assert.StartsWith("pipeline.json is not valid JSON: ", problem);
    }

    private static void AssertRefused(string json, string problem)
    {
        Assert.False(PipelineReader.TryParse(json, out _, out var actual));
        Assert.Equal(problem, actual);
    }
}
