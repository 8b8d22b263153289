using System.Text.Json;
using Augur.Workers.Supervision;

namespace Augur.Workers.Tests.Supervision;

/// <summary>config.json <c>backend_settings.worker</c>: defaults, every key, and mistakes named in one message.</summary>
public sealed class WorkerSettingsTests
{
    private static WorkerSettings Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return WorkerSettings.Read(document.RootElement.Clone());
    }

    [Fact]
    public void No_section_gives_the_defaults()
    {
        var settings = WorkerSettings.Read(default);

        Assert.Null(settings.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.CallTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.StartTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.MaxRestartDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.RestartWait);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.HealthCheckInterval);
        Assert.True(settings.BatchSocket);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var settings = Read("""{"endpoint": "unix:/sockets/fraud.sock", "call_timeout_ms": 250, "start_timeout_ms": 5000, "max_restart_delay_ms": 8000, "restart_wait_ms": 750, "health_check_interval_ms": 1500, "batch_socket": false}""");

        Assert.Equal("unix:/sockets/fraud.sock", settings.Endpoint);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.CallTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(5000), settings.StartTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(8000), settings.MaxRestartDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(750), settings.RestartWait);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), settings.HealthCheckInterval);
        Assert.False(settings.BatchSocket);
    }

    [Theory]
    [InlineData("""{"restart_wait": 5}""", "unknown setting backend_settings.worker.restart_wait; known: endpoint, call_timeout_ms, start_timeout_ms, max_restart_delay_ms, restart_wait_ms, health_check_interval_ms, batch_socket")]
    [InlineData("""{"health_check_interval_ms": -5}""", "backend_settings.worker.health_check_interval_ms must be an integer from 1 to 3600000 (milliseconds), not -5")]
    [InlineData("""{"batch_socket": "no"}""", "backend_settings.worker.batch_socket must be true or false, not \"no\"")]
    [InlineData("""{"batch_socket": 0}""", "backend_settings.worker.batch_socket must be true or false, not 0")]
    [InlineData("""{"restart_wait_ms": 0}""", "backend_settings.worker.restart_wait_ms must be an integer from 1 to 3600000 (milliseconds), not 0")]
    [InlineData("""{"call_timeout_ms": "10s"}""", "backend_settings.worker.call_timeout_ms must be an integer from 1 to 3600000 (milliseconds), not \"10s\"")]
    public void A_mistake_names_the_setting(string json, string expected) =>
        Assert.Equal(expected, Assert.Throws<FormatException>(() => Read(json)).Message);
}
