using Augur.Errors;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Engine;

public sealed class EngineResolutionTests : IAsyncLifetime
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();
    private InferenceEngine _engine = null!;

    public async Task InitializeAsync()
    {
        // echo: versions 1, 2, 3 served, 4 fails to load; broken: config error; unready: no versions.
        _repository.AddModel("echo", 1, 2, 3, 4).WriteConfig("echo", """{"version_policy": {"all": {}}}""");
        _repository.AddModel("broken", 1).WriteConfig("broken", "[]");
        Directory.CreateDirectory(_repository.ModelPath("unready"));
        _backend.Register("echo", Echo()).Register("echo", 4, Echo() with { LoadError = "bad weights" }).Register("broken", Echo());
        _engine = await BuildAsync(_repository, _backend);
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync().AsTask().WaitAsync(TestTimeout);
        _repository.Dispose();
    }

    [Fact]
    public async Task NoVersion_RunsTheHighestReadyVersion()
    {
        var response = await _engine.InferOk(EchoRequest());

        Assert.Equal("echo", response.ModelName);
        Assert.Equal("3", response.ModelVersion);
        Assert.Equal(["3", "2", "1"], _engine.Metadata("echo").Versions);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("3")]
    public async Task ExplicitVersion_RunsThatVersion(string version)
    {
        var response = await _engine.InferOk(EchoRequest(version: version));

        Assert.Equal(version, response.ModelVersion);
        Assert.Equal(1, _backend.Model("echo", long.Parse(version, System.Globalization.CultureInfo.InvariantCulture)).Calls.Count(c => c.Batch[0].ModelVersion == version));
        Assert.Null(_engine.CheckReady("echo", version));
    }

    [Fact]
    public async Task UnknownVersion_IsNotFound_ListingTheServedOnes()
    {
        var error = await _engine.InferError(EchoRequest(version: "7"));

        Assert.Equal(ErrorCode.NotFound, error.Code);
        Assert.Equal("model 'echo' has no version 7 (serving: 3, 2, 1)", error.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("01")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("")]
    public async Task MalformedVersion_IsInvalidArgument(string version)
    {
        var error = await _engine.InferError(EchoRequest(version: version));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal($"model version '{version}' is not a positive integer", error.Message);
    }

    [Fact]
    public async Task FailedVersion_IsUnavailable_WithItsReason()
    {
        var error = await _engine.InferError(EchoRequest(version: "4"));

        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Equal("model 'echo' version 4 is not ready: bad weights", error.Message);
        Assert.Equal(error, _engine.CheckReady("echo", "4"));
        Assert.False(_engine.TryGetMetadata("echo", "4", out _, out var metadataError));
        Assert.Equal(error, metadataError);
    }

    [Fact]
    public async Task UnknownModel_IsNotFound()
    {
        var error = await _engine.InferError(EchoRequest("nope"));

        Assert.Equal(ErrorCode.NotFound, error.Code);
        Assert.Equal("unknown model 'nope'", error.Message);
        Assert.Equal(ErrorCode.NotFound, _engine.CheckReady("nope", null)!.Code);
        Assert.Equal(ErrorCode.NotFound, _engine.CheckReady("nope", "1")!.Code);
    }

    [Fact]
    public async Task UnavailableModel_IsUnavailable_WithItsReason()
    {
        var error = await _engine.InferError(EchoRequest("broken"));

        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Equal("model 'broken' is not ready: config.json: the document must be a JSON object, not array", error.Message);
    }

    [Theory]
    [InlineData("broken")]
    [InlineData("unready")]
    public async Task UnavailableModel_WithAnExplicitVersion_IsUnavailableToo(string model)
    {
        // The model exists but is not ready; naming a version must not turn that into "not found"
        // and hide the reason (a broken config.json) from the client.
        var error = await _engine.InferError(EchoRequest(model, version: "1"));

        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Contains(_engine.Status(model).Reason!, error.Message);
    }

    [Fact]
    public async Task InferAsync_ThrowsTheSameErrorThatTryInferAsyncReturns()
    {
        var request = EchoRequest(version: "4");

        var result = await _engine.Infer(request);
        var ex = await Assert.ThrowsAsync<InferenceException>(() => _engine.InferAsync(request).AsTask().WaitAsync(TestTimeout));

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorCode.Unavailable, ex.Code);
        Assert.Equal(result.Error, ex.Error);
        Assert.Equal(result.Error.Message, ex.Message);

        var notFound = await Assert.ThrowsAsync<InferenceException>(() => _engine.InferAsync(EchoRequest("nope")).AsTask().WaitAsync(TestTimeout));
        Assert.Equal(ErrorCode.NotFound, notFound.Code);
        var invalid = await Assert.ThrowsAsync<InferenceException>(() => _engine.InferAsync(EchoRequest(batch: 65)).AsTask().WaitAsync(TestTimeout));
        Assert.Equal(ErrorCode.InvalidArgument, invalid.Code);
    }

    [Fact]
    public async Task InferAsync_ReturnsTheResponse()
    {
        var response = await _engine.InferAsync(EchoRequest(id: "r1")).AsTask().WaitAsync(TestTimeout);

        Assert.Equal("r1", response.Id);
        Assert.Equal([0f, 1f, 2f], response["y"].ToArray<float>());
    }
}
