using System.Text;
using System.Text.Json;
using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.OnnxRuntime.Tests.Pipelines;
using Augur.OnnxRuntime.Tests.Sharing;
using Augur.Tensors;
using Augur.Testing.Fakes;
using static Augur.OnnxRuntime.Tests.Sparse.BagHeads;

namespace Augur.OnnxRuntime.Tests.Sparse;

/// <summary>
/// Pipelines of the PRETZEL numeric family's form, identifiers hashed into an embedding bag of the head (design note
/// 0017): the head runs in C# over the hashed ids' counts, shared or not, within tolerance of the steps run densely in
/// ONNX Runtime; an id beyond the table is a 400 naming the step and the input, as ONNX Runtime's is; a head that looks
/// close but is not one runs in ONNX Runtime and the plan and the log say why.
/// </summary>
public sealed class EmbeddingBagPipelineTests : IDisposable
{
    private const int Buckets = 64;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    // Three measurements scaled and a category one-hot (5 dense columns), three identifiers hashed into HASH buckets.
    private const string Numeric = """
        {
          "inputs": [
            {"name": "measurements", "datatype": "FP32", "shape": [-1, 3]},
            {"name": "category", "datatype": "BYTES", "shape": [-1, 1]},
            {"name": "identifiers", "datatype": "BYTES", "shape": [-1, 3]}
          ],
          "outputs": [OUTPUTS],
          "steps": [
            {"name": "normalize", "featurizer": "scale", "inputs": ["measurements"], "outputs": ["scaled"], "settings": {"offset": [1, 2, 3], "scale": [0.5, 0.25, 2]}},
            {"name": "encode", "featurizer": "one_hot", "inputs": ["category"], "outputs": ["category_hot"], "settings": {"categories": ["fuel", "books"]}},
            {"name": "hash", "featurizer": "hash_buckets", "inputs": ["identifiers"], "outputs": ["identifier_buckets"], "settings": {"buckets": HASH, "seed": 7}},
            {"name": "join", "featurizer": "concat", "inputs": ["scaled", "category_hot"], "outputs": ["dense"]},
            {"name": "score", "onnx": "head.onnx", "inputs": {"dense": "dense", "identifiers": "identifier_buckets"}, "outputs": {"probability": "probability"}}
          ]
        }
        """;

    private static string Pipeline(int hashBuckets = Buckets, string outputs = "\"probability\"") =>
        Numeric.Replace("HASH", hashBuckets.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("OUTPUTS", outputs, StringComparison.Ordinal);

    private static readonly HashBucketsFeaturizer Hash = (HashBucketsFeaturizer)Featurize.Create("hash_buckets", """{"buckets": 128, "seed": 7}""");

    /// <summary>The first identifier <c>id-i</c> whose bucket (of 128, seed 7; of 64 the same mod 64) <paramref name="fits"/>.</summary>
    private static string Identifier(Func<long, bool> fits) =>
        Enumerable.Range(0, 100_000).Select(i => $"id-{i}").First(s => fits(Hash.Bucket(Encoding.UTF8.GetBytes(s))));

    // Ids of the 64-bucket hash: 0 and 63, a repeated one, and others.
    private static readonly string First = Identifier(b => b % Buckets == 0);
    private static readonly string Last = Identifier(b => b % Buckets == Buckets - 1);

    private static InferenceRequest Rows(string model, params string[][] identifiers) => new(model,
    [
        InferenceTensor.Create("measurements", Enumerable.Range(0, 3 * identifiers.Length).Select(i => MathF.Cos(i) * 4).ToArray(), identifiers.Length, 3),
        InferenceTensor.CreateStrings("category", Enumerable.Range(0, identifiers.Length).Select(i => i % 3 == 0 ? "fuel" : i % 3 == 1 ? "books" : "other").ToArray(), identifiers.Length, 1),
        InferenceTensor.CreateStrings("identifiers", identifiers.SelectMany(r => r).ToArray(), identifiers.Length, 3),
    ]);

    private static InferenceRequest Mixed(string model) => Rows(model, [First, First, First], [Last, "customer-1", Last], ["a", "b", "c"], [First, Last, "merchant-9"]);

    private static ModelLoadContext Context(string model, string directory, ListLoggerFactory? logs = null) =>
        new(model, 1, directory, ModelConfig.Empty, logs ?? new ListLoggerFactory(), TimeProvider.System) { Settings = JsonDocument.Parse("{}").RootElement.Clone() };

    private static async Task<BatchResult> RunAsync(OnnxRuntimeOptions options, ModelLoadContext context, IReadOnlyList<InferenceRequest> batch)
    {
        var backend = new PipelineBackend(new OnnxRuntimeBackend(options));
        await using var model = await backend.LoadAsync(context, CancellationToken.None);
        await using var instance = await model.CreateInstanceAsync(0, CancellationToken.None);
        return await instance.ExecuteAsync(batch, CancellationToken.None);
    }

    private static void AssertClose(BatchResult expected, BatchResult actual)
    {
        Assert.True(expected.Error is null, expected.Error?.Message);
        Assert.True(actual.Error is null, actual.Error?.Message);
        Assert.Equal(expected.Outputs!.Count, actual.Outputs!.Count);
        for (var r = 0; r < expected.Outputs.Count; r++)
        {
            Assert.Equal(expected.Outputs[r].Select(o => string.Join(',', o.Shape.ToArray())), actual.Outputs[r].Select(o => string.Join(',', o.Shape.ToArray())));
            for (var o = 0; o < expected.Outputs[r].Count; o++)
            {
                Tolerance.AssertClose(expected.Outputs[r][o].ToArray<float>(), actual.Outputs[r][o].ToArray<float>());
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_numeric_head_runs_in_csharp_over_the_hashed_ids_and_gets_the_dense_answers_within_tolerance(bool share)
    {
        var directory = PipelineFolders.Write(_repository.Path, "numeric", Pipeline(), ("head.onnx", Build(Shape.Numeric, 5, Buckets, 3)));
        InferenceRequest[] batch = [Mixed("numeric"), Rows("numeric", [Last, Last, Last]), Rows("numeric", ["x", First, "x"], [First, "y", Last])];
        var logs = new ListLoggerFactory();
        var dense = await RunAsync(new OnnxRuntimeOptions { ShareSubPlans = share, FusePipelines = false, SparseHeads = false }, Context("numeric", directory), batch);

        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { ShareSubPlans = share, FusePipelines = false }));
        await using var model = await backend.LoadAsync(Context("numeric", directory, logs), CancellationToken.None);
        await using var instance = await model.CreateInstanceAsync(0, CancellationToken.None);
        AssertClose(dense, await instance.ExecuteAsync(batch, CancellationToken.None));

        var steps = ((IExplainsPlan)model).Plan.Steps.ToDictionary(s => s.Name, s => s.Runs);
        Assert.Equal("sparse linear head (5 × 1 weights for 'dense', a 64 × 1 embedding bag for 'identifiers', in C#)", steps["score"]);
        Assert.Equal("""hash_buckets {"buckets":64,"seed":7}, as sparse rows into step 'score'""", steps["hash"]);
        Assert.Equal("concat {}, as sparse rows into step 'score'", steps["join"]);
        Assert.Contains(logs.Messages, m => m.EventId == 3124 && m.Message ==
            "Model numeric version 1: step 'score' (head.onnx) runs as a sparse linear head (5 × 1 weights for 'dense', a 64 × 1 embedding bag for 'identifiers', in C#), its featurizers giving sparse rows; no ONNX Runtime session");
    }

    [Fact]
    public async Task Numeric_pipelines_with_heads_of_their_own_share_one_sparse_step_for_their_dense_columns_and_ids()
    {
        var a = PipelineFolders.Write(_repository.Path, "numeric_a", Pipeline(), ("head.onnx", Build(Shape.Numeric, 5, Buckets, 3)));
        var b = PipelineFolders.Write(_repository.Path, "numeric_b", Pipeline(), ("head.onnx", Build(Shape.Numeric, 5, Buckets, 3) is var bytes ? Scaled(bytes) : bytes));
        var off = new OnnxRuntimeOptions { FusePipelines = false, SparseHeads = false };
        var expectedA = await RunAsync(off, Context("numeric_a", a), [Mixed("numeric_a")]);
        var expectedB = await RunAsync(off, Context("numeric_b", b), [Mixed("numeric_b")]);
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions()));
        await using var modelA = await backend.LoadAsync(Context("numeric_a", a), CancellationToken.None);
        await using var modelB = await backend.LoadAsync(Context("numeric_b", b), CancellationToken.None);
        await using var instanceA = await modelA.CreateInstanceAsync(0, CancellationToken.None);
        await using var instanceB = await modelB.CreateInstanceAsync(0, CancellationToken.None);

        AssertClose(expectedA, await instanceA.ExecuteAsync([Mixed("numeric_a")], CancellationToken.None));
        AssertClose(expectedB, await instanceB.ExecuteAsync([Mixed("numeric_b")], CancellationToken.None));

        // Nothing runs dense: the scale, one-hot, concat and hash are one shared sparse step of both pipelines.
        var (step, users) = Assert.Single(backend.SharedSteps.Snapshot());
        Assert.Equal(["numeric_a version 1", "numeric_b version 1"], users);
        Assert.Equal(
            """sparse rows inputs(concat(scale {"offset":[1,2,3],"scale":[0.5,0.25,2]}(#0), one_hot {"categories":["fuel","books"]}(#1)), counts of hash_buckets {"buckets":64,"seed":7}(#2))""",
            step.Description);
        Assert.Equal(2, step.Calls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_id_beyond_the_table_is_a_400_naming_the_step_and_the_input_as_onnx_runtimes_is(bool share)
    {
        // 128 hash buckets into a table of 64 rows: an id of 64 or more is outside it.
        var directory = PipelineFolders.Write(_repository.Path, "wide", Pipeline(hashBuckets: 128), ("head.onnx", Build(Shape.Numeric, 5, Buckets, 3)));
        var (outside, inside) = (Identifier(b => b >= Buckets), Identifier(b => b == 17));
        var fits = Rows("wide", [Identifier(b => b == 0), Identifier(b => b == Buckets - 1), inside]);
        var beyond = Rows("wide", [Identifier(b => b == 0), inside, inside], [inside, outside, inside]);
        var sparse = new OnnxRuntimeOptions { ShareSubPlans = share, FusePipelines = false };
        var dense = new OnnxRuntimeOptions { ShareSubPlans = share, FusePipelines = false, SparseHeads = false };

        var ours = (await RunAsync(sparse, Context("wide", directory), [beyond])).Error;
        var theirs = (await RunAsync(dense, Context("wide", directory), [beyond])).Error;

        Assert.NotNull(ours);
        Assert.NotNull(theirs);
        Assert.Equal((ErrorCode.InvalidArgument, ErrorCode.InvalidArgument), (theirs.Code, ours.Code));
        var id = Hash.Bucket(Encoding.UTF8.GetBytes(outside));
        Assert.StartsWith("step 'score' (head.onnx): model 'wide' could not run on this input: ", theirs.Message, StringComparison.Ordinal);
        Assert.Contains($"Gather node. Name:'Gather_1' Status Message: indices element out of data bounds, idx={id} ", theirs.Message, StringComparison.Ordinal);
        Assert.Equal(
            $"step 'score' (head.onnx): model 'wide' could not run on this input: input 'identifiers' row 1 holds id {id}, outside [0, 64), the rows of the table 'identifier_weights' that node 'Gather_1' gathers from",
            ours.Message);
        AssertClose(await RunAsync(dense, Context("wide", directory), [fits]), await RunAsync(sparse, Context("wide", directory), [fits]));
    }

    [Fact]
    public async Task Batches_joined_in_the_shared_step_are_split_back_and_each_head_checks_the_ids_against_its_own_table()
    {
        // All three hash into 128 buckets, one shared step; a's and b's tables have 128 rows, c's 64.
        var wide = Build(Shape.Numeric, 5, 128, 3);
        var directories = new Dictionary<string, string>
        {
            ["a"] = PipelineFolders.Write(_repository.Path, "a", Pipeline(hashBuckets: 128), ("head.onnx", wide)),
            ["b"] = PipelineFolders.Write(_repository.Path, "b", Pipeline(hashBuckets: 128), ("head.onnx", Scaled(wide))),
            ["c"] = PipelineFolders.Write(_repository.Path, "c", Pipeline(hashBuckets: 128), ("head.onnx", Build(Shape.Numeric, 5, Buckets, 3))),
        };
        var (outside, inside) = (Identifier(b => b >= Buckets), Identifier(b => b == 17));
        var (zero, last) = (Identifier(b => b == 0), Identifier(b => b == Buckets - 1));
        InferenceRequest Request(string model) => Rows(model, [inside, zero, inside], [outside, outside, last]);
        var off = new OnnxRuntimeOptions { FusePipelines = false, SparseHeads = false };
        var expected = new[] { await RunAsync(off, Context("a", directories["a"]), [Request("a")]), await RunAsync(off, Context("b", directories["b"]), [Request("b")]) };
        var probe = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions()));
        SharedStep shared;
        await using (var model = await probe.LoadAsync(Context("a", directories["a"]), CancellationToken.None))
        {
            shared = Assert.Single(probe.SharedSteps.Snapshot()).Step;
        }

        // Held first by the test, so every pipeline gets this step: the real one behind a gate on its first run.
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions()));
        var gated = new GatedFeaturizer(Assert.IsType<FeaturizerComputation>(shared.Computation).Featurizer);
        using var hold = backend.SharedSteps.Acquire(shared.Fingerprint, new FeaturizerStep("gate", gated, ["measurements", "category", "identifiers"], "rows"), "test");
        var bothQueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hold.Step.Queued = waiting =>
        {
            if (waiting == 2)
            {
                bothQueued.TrySetResult();
            }
        };
        var loaded = new List<(IModel Model, IModelInstance Instance)>();
        foreach (var name in directories.Keys)
        {
            var model = await backend.LoadAsync(Context(name, directories[name]), CancellationToken.None);
            loaded.Add((model, await model.CreateInstanceAsync(0, CancellationToken.None)));
        }

        try
        {
            var first = Task.Run(() => loaded[0].Instance.ExecuteAsync([Request("a")], CancellationToken.None).AsTask());
            await gated.Entered.Task.WaitAsync(Timeout);
            var b = Task.Run(() => loaded[1].Instance.ExecuteAsync([Request("b")], CancellationToken.None).AsTask());
            var c = Task.Run(() => loaded[2].Instance.ExecuteAsync([Request("c")], CancellationToken.None).AsTask());
            await bothQueued.Task.WaitAsync(Timeout);

            gated.Gate.Release();

            AssertClose(expected[0], await first.WaitAsync(Timeout));
            AssertClose(expected[1], await b.WaitAsync(Timeout));
            var refused = (await c.WaitAsync(Timeout)).Error;
            Assert.Equal((2L, 3L), (hold.Step.Runs, hold.Step.Calls));
            Assert.NotNull(refused);
            Assert.Equal(ErrorCode.InvalidArgument, refused.Code);
            Assert.Equal(
                $"step 'score' (head.onnx): model 'c' could not run on this input: input 'identifiers' row 1 holds id {Hash.Bucket(Encoding.UTF8.GetBytes(outside))}, outside [0, 64), the rows of the table 'identifier_weights' that node 'Gather_1' gathers from",
                refused.Message);
        }
        finally
        {
            foreach (var (model, instance) in loaded)
            {
                await instance.DisposeAsync();
                await model.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_head_that_looks_close_or_ids_that_are_also_an_output_run_in_onnx_runtime_and_the_plan_and_log_say_why()
    {
        var close = PipelineFolders.Write(_repository.Path, "close", Pipeline(), ("head.onnx", Build(Shape.TableNotInitializer, 5, Buckets, 3)));
        var output = PipelineFolders.Write(_repository.Path, "output", Pipeline(outputs: "\"probability\", \"identifier_buckets\""), ("head.onnx", Build(Shape.Numeric, 5, Buckets, 3)));
        var logs = new ListLoggerFactory();
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { FusePipelines = false }));
        var off = new OnnxRuntimeOptions { FusePipelines = false, SparseHeads = false };

        await using var closeModel = await backend.LoadAsync(Context("close", close, logs), CancellationToken.None);
        await using var outputModel = await backend.LoadAsync(Context("output", output, logs), CancellationToken.None);

        const string NotInitializer = "node 'Gather_2' (Gather) looks ids up in 'identifier_weights', which is not an initializer";
        Assert.Equal($"ONNX Runtime session (head.onnx); not a sparse linear head: {NotInitializer}", ((IExplainsPlan)closeModel).Plan.Steps.Single(s => s.Name == "score").Runs);
        Assert.Equal("ONNX Runtime session (head.onnx); not a sparse linear head: tensor 'identifier_buckets' is a pipeline output, so it is made dense",
            ((IExplainsPlan)outputModel).Plan.Steps.Single(s => s.Name == "score").Runs);
        Assert.Contains(logs.Messages, m => m.EventId == 3124 && m.Message == $"Model close version 1: step 'score' (head.onnx) runs in ONNX Runtime, not as a sparse linear head: {NotInitializer}");
        await using var closeInstance = await closeModel.CreateInstanceAsync(0, CancellationToken.None);
        await using var outputInstance = await outputModel.CreateInstanceAsync(0, CancellationToken.None);
        AssertClose(await RunAsync(off, Context("close", close), [Mixed("close")]), await closeInstance.ExecuteAsync([Mixed("close")], CancellationToken.None));
        var outputs = await outputInstance.ExecuteAsync([Mixed("output")], CancellationToken.None);
        Assert.True(outputs.Error is null, outputs.Error?.Message);
        Assert.Equal(0L, outputs.Outputs![0][1].ToArray<long>()[0]);
    }

    [Fact]
    public async Task With_sparse_heads_off_the_numeric_head_and_the_hash_run_as_before()
    {
        var directory = PipelineFolders.Write(_repository.Path, "numeric", Pipeline(), ("head.onnx", Build(Shape.Numeric, 5, Buckets, 3)));
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { SparseHeads = false }));

        await using var model = await backend.LoadAsync(Context("numeric", directory), CancellationToken.None);

        var steps = ((IExplainsPlan)model).Plan.Steps.ToDictionary(s => s.Name, s => s.Runs);
        Assert.Equal("ONNX Runtime session (head.onnx)", steps["score"]);
        Assert.Equal("""hash_buckets {"buckets":64,"seed":7}""", steps["hash"]);
        Assert.DoesNotContain(backend.SharedSteps.Snapshot(), s => s.Step.Description.StartsWith("sparse rows", StringComparison.Ordinal));
    }

    // The same head with every weight, table entry and bias doubled: another head over the same featurizers.
    private static byte[] Scaled(byte[] bytes)
    {
        Assert.True(Onnx.OnnxModelFile.TryParse(bytes, out var model, out var problem), problem);
        foreach (var tensor in model.Graph.Initializer.Where(t => t.DataType == (int)Onnx.Proto.TensorProto.Types.DataType.Float))
        {
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray().Select(v => v * 2).ToArray();
            tensor.RawData = Google.Protobuf.ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }

        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }
}
