using Augur.Models;

namespace Augur.Core.Tests.Caching;

public sealed class ResponseCacheConfigTests
{
    [Fact]
    public void Response_cache_reads_enable_and_ttl_seconds()
    {
        Assert.True(ModelConfigReader.TryParse("""{"response_cache": {"enable": true, "ttl_seconds": 600}}""", out var config, out var problem), problem);

        Assert.Equal(new ResponseCacheConfig(true, TimeSpan.FromMinutes(10)), config.ResponseCache);
    }

    [Fact]
    public void A_config_without_response_cache_caches_nothing()
    {
        Assert.True(ModelConfigReader.TryParse("{}", out var config, out _));

        Assert.Null(config.ResponseCache);
    }

    [Theory]
    [InlineData("""{"response_cache": {"enable": true, "ttl": 5}}""", "config.json: unknown setting 'response_cache.ttl' (the settings of response_cache are enable, ttl_seconds)")]
    [InlineData("""{"response_cache": {"enabled": true}}""", "config.json: unknown setting 'response_cache.enabled' (the settings of response_cache are enable, ttl_seconds)")]
    [InlineData("""{"response_cache": {}}""", "config.json: response_cache needs \"enable\": true or false")]
    [InlineData("""{"response_cache": true}""", "config.json: response_cache must be a JSON object, not true")]
    [InlineData("""{"response_cache": {"enable": "yes"}}""", "config.json: response_cache.enable must be true or false, not \"yes\"")]
    [InlineData("""{"response_cache": {"enable": true, "ttl_seconds": 0}}""", "config.json: response_cache.ttl_seconds must be an integer from 1 to 2592000, not 0")]
    [InlineData("""{"response_cache": {"enable": true, "ttl_seconds": 1.5}}""", "config.json: response_cache.ttl_seconds must be an integer from 1 to 2592000, not 1.5")]
    public void A_bad_response_cache_section_is_refused_naming_the_setting(string json, string expected)
    {
        Assert.False(ModelConfigReader.TryParse(json, out _, out var problem));

        Assert.Equal(expected, problem);
    }
}
