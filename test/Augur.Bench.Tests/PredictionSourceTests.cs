using System.Text;
using Augur.Bench.Scenarios;
using Augur.Bench.Targets;

namespace Augur.Bench.Tests;

/// <summary>Reading prediction_source from answers, and counting it per run.</summary>
public sealed class PredictionSourceTests
{
    [Theory]
    [InlineData("""{"model_name":"m","parameters":{"prediction_source":"cache"},"outputs":[]}""", "cache")]
    [InlineData("""{"model_name":"m","outputs":[{"name":"y","parameters":{"prediction_source":"no"},"data":[1]}],"parameters":{"a":[1,{"b":2}],"prediction_source":"precomputed"}}""", "precomputed")]
    [InlineData("""{ "parameters" : { "prediction_source" : "model" } }""", "model")]
    [InlineData("""{"parameters":{"prediction_source":"somewhere else"}}""", "somewhere else")]
    [InlineData("""{"model_name":"m","outputs":[]}""", null)]
    [InlineData("""{"parameters":{"prediction_source":7}}""", null)]
    [InlineData("""{"parameters":"prediction_source"}""", null)]
    [InlineData("""[{"parameters":{"prediction_source":"cache"}}]""", null)]
    [InlineData("""<html>502 Bad Gateway</html>""", null)]
    [InlineData("""{"parameters":{"prediction_source":"ca""", null)]
    [InlineData("", null)]
    public void The_source_is_the_top_level_parameter_and_nothing_else(string json, string? source) =>
        Assert.Equal(source, PredictionSourceReader.Read(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Known_sources_are_the_shared_constants()
    {
        Assert.Same(Augur.Inference.PredictionSources.Cache, PredictionSourceReader.Read("""{"parameters":{"prediction_source":"cache"}}"""u8));
        var grpc = new Augur.Protocol.Grpc.ModelInferResponse();
        Assert.Null(PredictionSourceReader.Read(grpc));
        grpc.Parameters["prediction_source"] = new Augur.Protocol.Grpc.InferParameter { StringParam = "precomputed" };
        Assert.Same(Augur.Inference.PredictionSources.Precomputed, PredictionSourceReader.Read(grpc));
        grpc.Parameters["prediction_source"] = new Augur.Protocol.Grpc.InferParameter { Int64Param = 3 };
        Assert.Null(PredictionSourceReader.Read(grpc));
    }

    [Fact]
    public void A_run_counts_the_sources_of_its_measured_answers_only()
    {
        var clock = new VirtualClock();
        // Query i (warm-up included) answers after 1 ms: cache, model, no source or an error, in turn.
        var target = new SourceTarget(clock, i => (i % 4) switch
        {
            0 => QueryOutcome.Success("cache"),
            1 => QueryOutcome.Success("model"),
            2 => QueryOutcome.Success(),
            _ => QueryOutcome.Failure("boom"),
        });
        var settings = new ScenarioSettings(Scenario.SingleStream) { MinDuration = TimeSpan.FromMilliseconds(100), Warmup = TimeSpan.FromMilliseconds(2) };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, target));

        // 102 queries in all; the first 2 are warm-up, so the window holds queries 2..101.
        Assert.Equal(102, target.Issued);
        Assert.Equal(new Dictionary<string, long> { ["cache"] = 25, ["model"] = 25, [RunResult.UnstatedSource] = 25 }, result.PredictionSources);
        Assert.Equal((75L, 25L), (result.Queries, result.Errors));
        Assert.EndsWith(" errors=25 sources=cache:25,model:25,unstated:25", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_whose_answers_name_no_source_reports_none()
    {
        var clock = new VirtualClock();
        var target = new SourceTarget(clock, _ => QueryOutcome.Success());
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(new ScenarioSettings(Scenario.SingleStream) { MinDuration = TimeSpan.FromMilliseconds(10) }, target));

        Assert.Null(result.PredictionSources);
        Assert.DoesNotContain("sources=", result.ToString(), StringComparison.Ordinal);
    }

    private sealed class SourceTarget(VirtualClock clock, Func<int, QueryOutcome> outcome) : ILoadTarget
    {
        public int Issued { get; private set; }

        public async ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken)
        {
            var index = Issued++;
            await clock.WaitUntilAsync(clock.Now + VirtualClock.Ms(1), cancellationToken);
            return outcome(index);
        }
    }
}
