using Augur.Errors;
using Augur.Models;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Lifecycle;

/// <summary>A reload that fails publishes nothing: the old version keeps serving and the reason is reported.</summary>
public sealed class FailedReloadTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();

    public void Dispose() => _repository.Dispose();

    public static TheoryData<string, string> BadVersions => new()
    {
        { "load", "the file is truncated" },
        { "warmup", "warm-up failed" },
        { "signature", "input 'x'" },
    };

    [Theory]
    [MemberData(nameof(BadVersions))]
    public async Task A_bad_new_version_leaves_the_old_one_serving_and_says_why(string kind, string expected)
    {
        _repository.AddModel("m", 1);
        _backend.Register("m", Echo());
        _backend.Register("m", 2, kind switch
        {
            "load" => Echo() with { LoadError = "the file is truncated" },
            "warmup" => FakeModelSpec.Failing(EchoSignature, InferenceError.Invalid("boom")),
            _ => FakeModelSpec.Identity("z", "y", Augur.Tensors.DataType.Fp32, -1, 3),
        });
        if (kind == "signature")
        {
            // config.json declares input x, which version 2's graph does not have.
            _repository.WriteConfig("m", """{"input": [{"name": "x", "datatype": "FP32", "dims": [3]}]}""");
        }

        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Explicit, b => b.LoadModelsAtStartup("m"));
        Assert.Equal("1", await engine.ServedVersion("m"));

        _repository.AddModel("m", 2);
        var error = await engine.LoadModelAsync("m").WaitAsync(TestTimeout);

        Assert.NotNull(error);
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("keep serving", error.Message, StringComparison.Ordinal);
        Assert.Equal("1", await engine.ServedVersion("m"));
        Assert.False(_backend.Model("m", 1).IsDisposed);
        var rows = engine.Rows("m");
        Assert.Contains(rows, r => r.Version == 1 && r.State == ModelState.Ready);
        Assert.Contains(rows, r => r.Version == 2 && r.State == ModelState.Unavailable && r.Reason.Contains(expected, StringComparison.Ordinal));
        Assert.Contains("reload failed", engine.Status("m").Reason, StringComparison.Ordinal);
        Assert.True(engine.IsReady);
    }

    [Fact]
    public async Task A_failed_reload_is_not_retried_by_each_poll_but_a_fixed_file_is_picked_up()
    {
        _repository.AddModel("m", 1);
        _backend.Register("m", Echo());
        _backend.Register("m", 2, Echo() with { LoadError = "bad protobuf" });
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Poll);

        _repository.AddModel("m", 2);
        Assert.Equal(1, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));
        Assert.Equal("1", await engine.ServedVersion("m"));
        var loads = _backend.LoadCalls;
        Assert.Equal(0, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));
        Assert.Equal(loads, _backend.LoadCalls);

        _backend.Register("m", 2, Echo());
        File.WriteAllText(Path.Combine(_repository.ModelPath("m"), "2", FakeBackend.FileName), "{ \"fixed\": true }");
        Assert.Equal(1, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));
        Assert.Equal("2", await engine.ServedVersion("m"));
        Assert.True(_backend.Model("m", 1).IsDisposed);
    }
}
