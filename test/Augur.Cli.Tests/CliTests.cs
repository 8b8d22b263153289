using System.Text.Json;
using Augur.OnnxRuntime.Samples;
using Augur.Testing;

namespace Augur.Cli.Tests;

public sealed class CliTests
{
    // A clear fraud case: a large foreign night-time transaction on a new account, far from home, card not present.
    private const string FraudFeatures = "features=3,1,-1.5,2,1,0,2.5,0.9";

    [Fact]
    public void Committed_sample_models_are_exactly_what_the_builder_produces()
    {
        var repository = RepositoryPaths.SampleModels;
        foreach (var name in SampleModels.Names)
        {
            foreach (var (path, bytes) in SampleModels.Files(name))
            {
                var committed = File.ReadAllBytes(Path.Combine(repository, name, path));
                Assert.True(bytes.AsSpan().SequenceEqual(committed), $"samples/models/{name}/{path} is stale; run: augur samples write samples/models");
            }
        }
    }

    [Fact]
    public async Task Infer_in_process_with_inline_values_prints_the_response()
    {
        var (code, stdout, stderr) = await AugurProcess.RunAsync("infer", "--model", "fraud", "--input", FraudFeatures);

        Assert.True(code == 0, stderr);
        using var response = JsonDocument.Parse(stdout);
        Assert.Equal("fraud", response.RootElement.GetProperty("model_name").GetString());
        var label = response.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "label");
        Assert.Equal(1, label.GetProperty("data")[0].GetInt64());
    }

    [Fact]
    public async Task Infer_in_process_from_a_request_file_prints_the_response()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("augur-cli-").FullName, "request.json");
        await File.WriteAllTextAsync(file, """{"id": "eta-1", "inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP32", "data": [3.5, 2, 18, 1]}]}""");
        try
        {
            var (code, stdout, stderr) = await AugurProcess.RunAsync("infer", "--model", "delivery_eta", "--request", file);

            Assert.True(code == 0, stderr);
            using var response = JsonDocument.Parse(stdout);
            Assert.Equal("eta-1", response.RootElement.GetProperty("id").GetString());
            var eta = response.RootElement.GetProperty("outputs")[0];
            Assert.Equal("eta_minutes", eta.GetProperty("name").GetString());
            Assert.InRange(eta.GetProperty("data")[0].GetSingle(), 20f, 60f);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public async Task Infer_inline_values_accept_leading_dots_and_NaN()
    {
        var (code, stdout, stderr) = await AugurProcess.RunAsync("infer", "--model", "delivery_eta", "--input", "features=.5,2,18,NaN");

        Assert.True(code == 0, stderr);
        Assert.Contains("\"NaN\"", stdout);
    }

    [Fact]
    public async Task Serve_with_a_missing_repository_or_bad_setting_exits_2_before_loading_anything()
    {
        var missing = await AugurProcess.RunAsync("serve", "--model-repository", "/no/such/folder");
        var tooLarge = await AugurProcess.RunAsync("serve", "--max-request-body", "4000000000");

        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("augur serve: --model-repository '/no/such/folder' does not exist", missing.Stderr.Trim());
        Assert.Equal(2, tooLarge.ExitCode);
        Assert.Equal("augur serve: MaxRequestBody (--max-request-body) 4000000000 must be from 1 byte to 1 GiB", tooLarge.Stderr.Trim());
    }

    [Fact]
    public async Task Infer_without_a_request_or_inputs_exits_2_and_says_what_is_missing()
    {
        var (code, _, stderr) = await AugurProcess.RunAsync("infer", "--model", "fraud");

        Assert.Equal(2, code);
        Assert.Contains("--request FILE or one or more --input", stderr);
    }

    [Fact]
    public async Task Infer_reports_a_bad_input_with_exit_code_1_and_the_message()
    {
        var (code, _, stderr) = await AugurProcess.RunAsync("infer", "--model", "fraud", "--input", "features=1,2,3");

        Assert.Equal(1, code);
        Assert.Contains("features", stderr);
    }

    [Fact]
    public async Task Serve_answers_on_port_0_matches_in_process_infer_and_exits_0_on_SIGTERM()
    {
        using var server = AugurProcess.Start("serve", "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0");
        var url = await server.WaitForListeningAsync();
        Assert.StartsWith("http://127.0.0.1:", url);

        var remote = await AugurProcess.RunAsync("infer", "--url", url, "--model", "fraud", "--input", FraudFeatures);
        var local = await AugurProcess.RunAsync("infer", "--model", "fraud", "--input", FraudFeatures);

        Assert.True(remote.ExitCode == 0, remote.Stderr);
        Assert.Equal(local.Stdout, remote.Stdout);
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", await server.WaitForGrpcListeningAsync());

        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [Fact]
    public async Task Models_list_reports_a_broken_model_with_its_reason_and_serves_the_rest()
    {
        var repository = Directory.CreateTempSubdirectory("augur-cli-").FullName;
        try
        {
            TestModels.WriteModel(repository, "good", TestModels.TwoInputs());
            TestModels.WriteModel(repository, "broken", [1, 2, 3, 4]);

            var (code, stdout, _) = await AugurProcess.RunAsync("models", "list", "--model-repository", repository);

            Assert.Equal(1, code);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l.StartsWith("good", StringComparison.Ordinal) && l.Contains("READY"));
            Assert.Contains(lines, l => l.StartsWith("broken", StringComparison.Ordinal) && l.Contains("UNAVAILABLE") && l.Contains("version 1:"));
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }
}
