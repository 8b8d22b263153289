using System.Text.Json;

namespace Augur.Workers.Supervision;

/// <summary>
/// A worker model's typed settings, config.json <c>backend_settings.worker</c>:
/// <code>
/// { "endpoint": "unix:/sockets/fraud.sock",   // a worker started elsewhere (a sidecar); default: the server starts its own
///   "call_timeout_ms": 10000,                 // a batch not answered by then: the worker is killed and restarted
///   "start_timeout_ms": 60000,                // a worker not ready by then failed to start
///   "max_restart_delay_ms": 30000,            // the longest wait between restarts of a worker that keeps dying
///   "restart_wait_ms": 2000,                  // how long a batch waits for the immediate restart after a crash
///   "health_check_interval_ms": 5000,         // a worker started elsewhere is asked for its health this often
///   "batch_socket": true }                    // batches over the worker's batch socket (Unix sockets); false: over gRPC
/// </code>
/// </summary>
/// <param name="Endpoint">The address of a worker the server does not start (<c>unix:/path</c> or <c>http://host:port</c>); null when the server starts its own.</param>
/// <param name="CallTimeout">How long a batch may run before its worker counts as hung.</param>
/// <param name="StartTimeout">How long a worker may take to report ready.</param>
/// <param name="MaxRestartDelay">The cap of the doubling delay between restarts.</param>
internal sealed record WorkerSettings(string? Endpoint, TimeSpan CallTimeout, TimeSpan StartTimeout, TimeSpan MaxRestartDelay)
{
    /// <summary>The settings of a model with no section.</summary>
    public static WorkerSettings Default { get; } = new(null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30));

    /// <summary>How long a batch that finds the worker down waits for the immediate first restart before it fails.</summary>
    public TimeSpan RestartWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often a worker started elsewhere (<see cref="Endpoint"/>) is asked for its health between batches; one that
    /// does not answer within <see cref="CallTimeout"/> is taken out of service and reached again. (A worker the server
    /// starts is watched through its process instead.)
    /// </summary>
    public TimeSpan HealthCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether batches go over a Unix socket worker's batch socket (true) or as gRPC Execute calls (false).</summary>
    public bool BatchSocket { get; init; } = true;

    private const string Section = "backend_settings.worker";

    /// <summary>Reads the section (undefined: the defaults); a mistake throws a <see cref="FormatException"/> naming the setting.</summary>
    public static WorkerSettings Read(JsonElement section)
    {
        var settings = Default;
        if (section.ValueKind == JsonValueKind.Undefined)
        {
            return settings;
        }

        foreach (var property in section.EnumerateObject())
        {
            settings = property.Name switch
            {
                "endpoint" => settings with { Endpoint = ReadEndpoint(property) },
                "call_timeout_ms" => settings with { CallTimeout = ReadMilliseconds(property) },
                "start_timeout_ms" => settings with { StartTimeout = ReadMilliseconds(property) },
                "max_restart_delay_ms" => settings with { MaxRestartDelay = ReadMilliseconds(property) },
                "restart_wait_ms" => settings with { RestartWait = ReadMilliseconds(property) },
                "health_check_interval_ms" => settings with { HealthCheckInterval = ReadMilliseconds(property) },
                "batch_socket" => settings with { BatchSocket = ReadBoolean(property) },
                _ => throw new FormatException($"unknown setting {Section}.{property.Name}; known: endpoint, call_timeout_ms, start_timeout_ms, max_restart_delay_ms, restart_wait_ms, health_check_interval_ms, batch_socket"),
            };
        }

        return settings;
    }

    private static string ReadEndpoint(JsonProperty property)
    {
        var text = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        return WorkerEndpoint.TryParse(text, out _, out var problem)
            ? text
            : throw new FormatException($"{Section}.endpoint {problem}");
    }

    private static bool ReadBoolean(JsonProperty property) => property.Value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new FormatException($"{Section}.{property.Name} must be true or false, not {property.Value.GetRawText()}"),
    };

    private static TimeSpan ReadMilliseconds(JsonProperty property) =>
        property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var ms) && ms is >= 1 and <= 3_600_000
            ? TimeSpan.FromMilliseconds(ms)
            : throw new FormatException($"{Section}.{property.Name} must be an integer from 1 to 3600000 (milliseconds), not {property.Value.GetRawText()}");
}
