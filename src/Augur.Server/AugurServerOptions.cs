using Augur.Server.Security;

namespace Augur.Server;

/// <summary>Settings of the HTTP front door.</summary>
public sealed class AugurServerOptions
{
    /// <summary>The largest request body accepted, in bytes; larger bodies get 413. Default 64 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The deepest JSON nesting accepted in a request. Default 32.</summary>
    public int MaxJsonDepth { get; set; } = 32;

    /// <summary>The server name reported by <c>GET /v2</c>. Default "augur".</summary>
    public string ServerName { get; set; } = "augur";

    /// <summary>
    /// Where Prometheus scrapes the engine's metrics (the <c>Augur</c> meter, in Prometheus text format). Null turns
    /// the endpoint off. Default <c>/metrics</c>.
    /// </summary>
    public string? MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// Where <c>GET /v2/models/{model}/predictions/{key}</c> reads predictions stored by <c>augur batch</c>: a
    /// <c>PredictionStore</c> (SQLite, PostgreSQL) or any other precomputed prediction store, such as Redis
    /// (<c>PrecomputedStores.Open</c>). Null (the default) answers that route with 404. The caller owns the store and
    /// disposes it after the host stops.
    /// </summary>
    public Augur.Precomputed.IPrecomputedPredictions? PredictionStore { get; set; }

    /// <summary>API keys and HTTPS. Default: no keys (inference open, model control refused), plain HTTP.</summary>
    public AugurSecurityOptions Security { get; set; } = new();

    /// <summary>
    /// On shutdown, how long requests in flight (and queued) may take to finish before connections are closed. Default 30 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On shutdown, how long the server keeps serving with readiness 503 before it stops accepting connections, so
    /// load balancers notice first. Counts against <see cref="DrainTimeout"/>. Default 0.
    /// </summary>
    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Validates the settings, naming the first bad one.</summary>
    public void Validate()
    {
        Security.Validate();
        if (DrainTimeout < TimeSpan.Zero || DrainTimeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(DrainTimeout), DrainTimeout, "must be from 0 to 1 hour");
        }

        if (ShutdownDelay < TimeSpan.Zero || ShutdownDelay > DrainTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(ShutdownDelay), ShutdownDelay, "must be from 0 to DrainTimeout");
        }

        if (MetricsPath is not null && (!MetricsPath.StartsWith('/') || MetricsPath.StartsWith("/v2", StringComparison.Ordinal)))
        {
            throw new ArgumentException($"MetricsPath must start with '/' and lie outside /v2, not '{MetricsPath}'", nameof(MetricsPath));
        }

        if (MaxRequestBodyBytes is < 1 or > 1L << 30)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestBodyBytes), MaxRequestBodyBytes, "must be from 1 byte to 1 GiB");
        }

        if (MaxJsonDepth is < 4 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxJsonDepth), MaxJsonDepth, "must be from 4 to 256");
        }
    }
}
