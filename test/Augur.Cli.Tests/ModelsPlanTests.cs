using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;
using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary>
/// <c>augur models plan</c>: two copies of the sentiment pipeline share their featurizer as a sub-plan (and their head's
/// weights), two models with one identical large initializer hold it once; each optimisation can be switched off, and
/// a model that is not loaded is one line and exit code 1.
/// </summary>
public sealed class ModelsPlanTests : IDisposable
{
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-plan-").FullName;

    public ModelsPlanTests()
    {
        foreach (var name in new[] { "review_a", "review_b" })
        {
            var target = Directory.CreateDirectory(Path.Combine(_repository, name, "1")).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.SampleModels, "sentiment", "1")))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        TestModels.WriteModel(_repository, "tenant_a", Tenant(bias: 1));
        TestModels.WriteModel(_repository, "tenant_b", Tenant(bias: 2));
    }

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    /// <summary><c>x</c> FP32 [-1, 128] · w (128 × 64, 32 KiB, the same in every tenant) + its own bias.</summary>
    private static byte[] Tenant(float bias)
    {
        var builder = new OnnxGraphBuilder("tenant").AddInput("x", DataType.Fp32, -1, 128).AddOutput("y", DataType.Fp32, -1, 64);
        var w = builder.AddInitializer("w", Enumerable.Range(0, 128 * 64).Select(i => MathF.Cos(i)).ToArray(), 128, 64);
        var b = builder.AddInitializer("b", [bias], 1);
        return builder.AddNode("MatMul", ["x", w], ["xw"]).AddNode("Add", ["xw", b], ["y"]).ToBytes();
    }

    [Fact]
    public async Task The_plan_names_what_each_model_shares_with_which_and_the_bytes_saved()
    {
        // Sparse heads off: the heads' weights are then in sessions, shared.
        var (code, stdout, stderr) = await AugurProcess.RunAsync("models", "plan", "--model-repository", _repository, "--sparse-heads", "false");

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToArray();
        Assert.Equal("4 model version(s) loaded; share weights on, share sub-plans on, fuse pipelines on, sparse heads off", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  featurize  text_ngrams {\"buckets\":4096,", StringComparison.Ordinal) && l.EndsWith(", with review_b version 1]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  featurize  text_ngrams ", StringComparison.Ordinal) && l.EndsWith(", with review_a version 1]", StringComparison.Ordinal));
        Assert.Contains("  weight initializer w, 32.0 KiB: held once with tenant_b version 1", lines);
        Assert.Contains("  weight initializer w, 32.0 KiB: held once with tenant_a version 1", lines);
        Assert.Contains("  weight initializer weights, 16.0 KiB: held once with review_b version 1", lines);
        Assert.Contains("shared sub-plans: 1 computed for more than one version", lines);
        Assert.Contains("shared weights: 2 initializer(s) in the store, 48.0 KiB held once; 2 held by more than one version, saving 48.0 KiB", lines);
        Assert.Contains("fused pipelines: 0", lines);
    }

    [Fact]
    public async Task By_default_the_heads_run_in_csharp_over_sparse_rows_shared_by_both_pipelines()
    {
        var (code, stdout, stderr) = await AugurProcess.RunAsync("models", "plan", "--model-repository", _repository);

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToArray();
        Assert.Equal("4 model version(s) loaded; share weights on, share sub-plans on, fuse pipelines on, sparse heads on", lines[0]);
        Assert.Equal(2, lines.Count(l => l == "  classify   sparse linear head (4096 × 1 weights, in C#)"));
        Assert.Contains(lines, l => l.StartsWith("  featurize  text_ngrams {\"buckets\":4096,", StringComparison.Ordinal)
            && l.Contains(", as sparse rows into step 'classify'", StringComparison.Ordinal) && l.EndsWith(", with review_b version 1]", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("  weight initializer weights", StringComparison.Ordinal));
        Assert.Contains("shared sub-plans: 1 computed for more than one version", lines);
    }

    [Fact]
    public async Task Each_optimisation_switched_off_shows_in_the_plan()
    {
        var (code, stdout, stderr) = await AugurProcess.RunAsync(
            "models", "plan", "review_a", "--model-repository", _repository, "--share-subplans", "false", "--share-weights", "false");

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToArray();
        Assert.Equal("4 model version(s) loaded; share weights off, share sub-plans off, fuse pipelines on, sparse heads on", lines[0]);
        Assert.Contains("review_a version 1 (augur_pipeline)", lines);
        Assert.DoesNotContain("tenant_a version 1 (onnxruntime_onnx)", lines);
        Assert.Contains("  fused: 2 step(s) in one ONNX Runtime graph", lines);
        Assert.Contains("  shared weights: off (backend_settings.onnxruntime.share_weights or --share-weights false); thread pool: global; arena: shared", lines);
        Assert.Contains("shared weights: 0 initializer(s) in the store, 0.0 KiB held once; 0 held by more than one version, saving 0.0 KiB", lines);
        Assert.Contains("fused pipelines: 2", lines);
    }

    [Fact]
    public async Task A_model_that_is_not_in_the_repository_is_one_line_and_exit_code_1()
    {
        var (code, stdout, stderr) = await AugurProcess.RunAsync("models", "plan", "nope", "--model-repository", _repository);

        Assert.Equal(1, code);
        Assert.Equal("model 'nope' is not in the repository; models: review_a, review_b, tenant_a, tenant_b", stderr.Trim());
        Assert.Empty(stdout);
    }
}
