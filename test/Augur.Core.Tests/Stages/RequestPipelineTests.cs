using Augur.Inference;
using Augur.Scheduling;
using Augur.Stages;
using Augur.Tensors;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Stages;

public sealed class RequestPipelineTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();
    private readonly List<string> _trace = [];

    public void Dispose() => _repository.Dispose();

    private Task<InferenceEngine> BuildAsync(params IRequestStageFactory[] factories)
    {
        var builder = new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(_backend);
        foreach (var factory in factories)
        {
            builder.AddRequestStage(factory);
        }

        return builder.BuildAsync().WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task Stages_RunInOrder_AroundTheModel_AndSeeTheOutcomeOnTheWayBack()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", Echo());
        await using var engine = await BuildAsync(new Factory(300, "inner", _trace), new Factory(100, "outer", _trace));

        var response = await engine.InferOk(EchoRequest());

        Assert.Equal(["outer in", "inner in", "inner out model", "outer out model"], _trace);
        Assert.Equal([0f, 1f, 2f], response["y"].ToArray<float>());
        Assert.Single(_backend.Model("echo").Calls);
        Assert.Null(response.PredictionSource);
    }

    [Fact]
    public async Task AStageThatAnswers_KeepsTheRequestFromTheModel_AndTheResponseSaysWhereItCameFrom()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", Echo());
        var answer = InferenceTensor.Create("y", new float[] { 7, 8, 9 }, 1, 3);
        await using var engine = await BuildAsync(new Factory(100, "answering", _trace) { Answer = answer });

        var response = await engine.InferOk(EchoRequest(id: "r1"));

        Assert.Equal(PredictionSources.Cache, response.PredictionSource);
        Assert.Equal("r1", response.Id);
        Assert.Equal([7f, 8f, 9f], response["y"].ToArray<float>());
        Assert.Empty(_backend.Model("echo").Calls);
        Assert.Equal(["answering in"], _trace);
    }

    [Fact]
    public async Task AStageThatPassesOn_OnAModelThatCanBeAnsweredWithoutRunning_SaysTheModelRan()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", Echo());
        await using var engine = await BuildAsync(new Factory(100, "passing", _trace) { AnswersWithoutModel = true });

        var response = await engine.InferOk(EchoRequest());

        Assert.Equal(PredictionSources.Model, response.PredictionSource);
    }

    [Fact]
    public async Task AStageThatReplacesInputs_IsWhatTheModelSees()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", Echo());
        var replacement = InferenceTensor.Create("x", new float[] { 4, 5, 6 }, 1, 3);
        await using var engine = await BuildAsync(new Factory(100, "feature", _trace) { Replace = replacement });

        var response = await engine.InferOk(EchoRequest(id: "r2"));

        Assert.Equal([4f, 5f, 6f], response["y"].ToArray<float>());
        Assert.Equal("r2", response.Id);
    }

    [Fact]
    public async Task AFactoryThatDeclines_LeavesTheVersionWithoutStages_AndAFactoryThatThrows_FailsOnlyThatVersion()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _repository.AddModel("broken").WriteConfig("broken", NoWarmup);
        _backend.Register("echo", Echo()).Register("broken", Echo());
        await using var engine = await BuildAsync(new Factory(100, "picky", _trace) { OnlyFor = "echo", ThrowFor = "broken" });

        Assert.Equal(Augur.Models.ModelState.Ready, engine.Status("echo").State);
        var broken = engine.Status("broken");
        Assert.Equal(Augur.Models.ModelState.Unavailable, broken.State);
        Assert.Contains("stage refused model 'broken'", broken.Versions.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stages_AreDisposedWithTheirVersion()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", Echo());
        var factory = new Factory(100, "disposable", _trace);
        var engine = await BuildAsync(factory);
        Assert.Equal(0, factory.Disposed);

        await engine.DisposeAsync();

        Assert.Equal(1, factory.Disposed);
    }

    private sealed class Factory(int order, string name, List<string> trace) : IRequestStageFactory
    {
        public int Order => order;

        public InferenceTensor? Answer { get; init; }

        public InferenceTensor? Replace { get; init; }

        public bool AnswersWithoutModel { get; init; }

        public string? OnlyFor { get; init; }

        public string? ThrowFor { get; init; }

        public int Disposed;

        public IRequestStage? Create(StageSite site)
        {
            if (site.Model == ThrowFor)
            {
                throw new InvalidOperationException($"stage refused model '{site.Model}'");
            }

            return OnlyFor is null || site.Model == OnlyFor ? new Stage(this, name, trace) : null;
        }

        private sealed class Stage(Factory factory, string name, List<string> trace) : IRequestStage, IDisposable
        {
            public bool AnswersWithoutModel => factory.AnswersWithoutModel || factory.Answer is not null;

            public async ValueTask<ExecutionOutcome> InvokeAsync(RequestContext context, RequestHandler next)
            {
                lock (trace)
                {
                    trace.Add($"{name} in");
                }

                if (factory.Answer is { } answer)
                {
                    return new ExecutionOutcome([answer], null, default) { Source = PredictionSources.Cache };
                }

                if (factory.Replace is { } replacement)
                {
                    context.Request = context.Request.WithInputs([replacement]);
                }

                var outcome = await next(context);
                lock (trace)
                {
                    trace.Add($"{name} out {outcome.Source ?? "model"}");
                }

                return outcome;
            }

            public void Dispose() => Interlocked.Increment(ref factory.Disposed);
        }
    }
}
