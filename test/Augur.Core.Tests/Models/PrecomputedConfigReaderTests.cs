using Augur.Models;

namespace Augur.Core.Tests.Models;

public sealed class PrecomputedConfigReaderTests
{
    [Fact]
    public void Every_setting_is_read()
    {
        Assert.True(ModelConfigReader.TryParse(
            """{"precomputed": {"source": "preds.db", "max_age_seconds": 86400, "key_input": "user_id", "write_back": true, "timeout_microseconds": 2500}}""",
            out var config, out var problem), problem);

        Assert.Equal(
            new PrecomputedConfig { Source = "preds.db", MaxAge = TimeSpan.FromDays(1), KeyInput = "user_id", WriteBack = true, Timeout = TimeSpan.FromMicroseconds(2500) },
            config.Precomputed);
    }

    [Fact]
    public void Left_out_settings_take_their_defaults_and_a_config_without_the_section_has_none()
    {
        Assert.True(ModelConfigReader.TryParse("""{"precomputed": {"source": "redis://h", "max_age_seconds": 1}}""", out var config, out _));
        Assert.True(ModelConfigReader.TryParse("{}", out var none, out _));

        Assert.Equal((null, false, TimeSpan.FromMilliseconds(100)), (config.Precomputed!.KeyInput, config.Precomputed.WriteBack, config.Precomputed.Timeout));
        Assert.Null(none.Precomputed);
    }

    [Theory]
    [InlineData("""{"source": "a.db", "max_age_seconds": 60, "max_age": 5}""", "config.json: unknown setting 'precomputed.max_age'")]
    [InlineData("""{"max_age_seconds": 60}""", "config.json: precomputed needs 'source': the SQLite file (relative to the model folder), postgres:// or redis:// URI that holds the predictions")]
    [InlineData("""{"source": "a.db"}""", "config.json: precomputed needs 'max_age_seconds': how old a stored prediction may be and still answer")]
    [InlineData("""{"source": " ", "max_age_seconds": 60}""", "config.json: precomputed.source must be a non-empty string, not \" \"")]
    [InlineData("""{"source": "a.db", "max_age_seconds": 0}""", "config.json: precomputed.max_age_seconds must be an integer ≥ 1, not 0")]
    [InlineData("""{"source": "a.db", "max_age_seconds": 60, "write_back": "yes"}""", "config.json: precomputed.write_back must be true or false, not \"yes\"")]
    [InlineData("""{"source": "a.db", "max_age_seconds": 60, "timeout_microseconds": 60000001}""", "config.json: precomputed.timeout_microseconds must be an integer from 1 to 60000000, not 60000001")]
    [InlineData("""{"source": "a.db", "max_age_seconds": 60, "key_input": 3}""", "config.json: precomputed.key_input must be a non-empty string, not 3")]
    [InlineData("""[]""", "config.json: precomputed must be a JSON object, not array")]
    public void Bad_settings_are_refused_by_name(string section, string expected)
    {
        Assert.False(ModelConfigReader.TryParse($$"""{"precomputed": {{section}}}""", out _, out var problem));

        Assert.Equal(expected, problem);
    }

    [Fact]
    public void A_sequence_model_cannot_be_precomputed()
    {
        Assert.False(ModelConfigReader.TryParse("""{"sequence_batching": {}, "precomputed": {"source": "a.db", "max_age_seconds": 60}}""", out _, out var problem));

        Assert.Equal("config.json: precomputed cannot serve a sequence model (sequence_batching): its answers depend on the state of the sequence, not on a key", problem);
    }
}
