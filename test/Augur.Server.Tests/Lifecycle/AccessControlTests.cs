using Augur.Server.Security;

namespace Augur.Server.Tests.Lifecycle;

/// <summary>The key matrix: which key each kind of endpoint accepts, and 401 versus 403.</summary>
public sealed class AccessControlTests
{
    private const string Inf = LifecycleServer.InferenceKey;
    private const string Adm = LifecycleServer.AdminKey;

    public static TheoryData<string, string, string?, string, int> Matrix => new()
    {
        // Health probes need no key.
        { "GET", "/v2/health/live", null, "bearer", 200 },
        { "GET", "/v2/health/ready", null, "bearer", 200 },
        { "GET", "/v2/models/m/ready", null, "bearer", 200 },
        // Inference and metadata: the inference key or the admin key.
        { "POST", "/v2/models/m/infer", null, "bearer", 401 },
        { "POST", "/v2/models/m/infer", "wrong-key-0123456789abc", "bearer", 401 },
        { "POST", "/v2/models/m/infer", Inf, "bearer", 200 },
        { "POST", "/v2/models/m/infer", Inf, "x-api-key", 200 },
        { "POST", "/v2/models/m/infer", Adm, "bearer", 200 },
        { "GET", "/v2/models/m", null, "bearer", 401 },
        { "GET", "/v2/models/m", Inf, "x-api-key", 200 },
        { "GET", "/v2", null, "bearer", 401 },
        { "GET", "/v2", Inf, "bearer", 200 },
        { "GET", "/v2/no/such/route", null, "bearer", 401 },
        // Administration: the admin key only; an inference key is known but not allowed.
        { "POST", "/v2/repository/index", null, "bearer", 401 },
        { "POST", "/v2/repository/index", "wrong-key-0123456789abc", "x-api-key", 401 },
        { "POST", "/v2/repository/index", Inf, "bearer", 403 },
        { "POST", "/v2/repository/index", Adm, "bearer", 200 },
        { "POST", "/v2/repository/index", Adm, "x-api-key", 200 },
        { "POST", "/v2/repository/models/m/load", Inf, "bearer", 403 },
        { "POST", "/v2/repository/models/m/unload", null, "bearer", 401 },
        { "POST", "/v2/repository/models/m/load", Adm, "bearer", 200 },
        // Statistics: the admin key, once one is configured.
        { "GET", "/metrics", null, "bearer", 401 },
        { "GET", "/metrics", Inf, "bearer", 403 },
        { "GET", "/metrics", Adm, "bearer", 200 },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task With_both_keys_configured_each_endpoint_answers_as_designed(string method, string path, string? key, string header, int expected)
    {
        await using var server = await LifecycleServer.StartAsync(s => s.AddEcho("m"), configure: o =>
        {
            o.Security.InferenceApiKeys = [Inf];
            o.Security.AdminApiKeys = [Adm];
        });

        var content = path.StartsWith("/v2/repository", StringComparison.Ordinal) ? new StringContent("") : null;
        var (status, body, response) = await server.SendAsync(new HttpMethod(method), path, key, header, content);

        Assert.True(expected == status, $"{method} {path} with {(key is null ? "no key" : key == Inf ? "the inference key" : key == Adm ? "the admin key" : "a wrong key")}: {status} {body}");
        if (status == 401)
        {
            Assert.Equal("Bearer realm=\"augur\"", response.Headers.WwwAuthenticate.ToString());
        }

        if (key is not null)
        {
            Assert.DoesNotContain(key, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_no_keys_inference_and_metrics_are_open_and_model_control_is_refused()
    {
        await using var server = await LifecycleServer.StartAsync(s => s.AddEcho("m"));

        Assert.Equal(200, (await server.SendAsync(HttpMethod.Post, "/v2/models/m/infer")).Status);
        Assert.Equal(200, (await server.SendAsync(HttpMethod.Get, "/metrics")).Status);
        var (status, body, _) = await server.SendAsync(HttpMethod.Post, "/v2/repository/index", content: new StringContent(""));
        Assert.Equal(403, status);
        Assert.Contains("model control is disabled", body, StringComparison.Ordinal);
        Assert.Equal(403, (await server.SendAsync(HttpMethod.Post, "/v2/repository/models/m/unload", content: new StringContent(""))).Status);
    }

    [Fact]
    public async Task Model_control_without_a_key_is_served_only_when_explicitly_allowed()
    {
        await using var server = await LifecycleServer.StartAsync(s => s.AddEcho("m"), configure: o => o.Security.AllowAdminWithoutKey = true);

        Assert.Equal(200, (await server.SendAsync(HttpMethod.Post, "/v2/repository/index", content: new StringContent(""))).Status);
    }

    [Fact]
    public void The_authorizer_needs_no_http_and_answers_the_same_matrix()
    {
        var authorizer = new ApiKeyAuthorizer(new AugurSecurityOptions { InferenceApiKeys = [Inf], AdminApiKeys = [Adm] });

        Assert.Equal(AccessStatus.Allowed, authorizer.Authorize(AccessOperation.Health, null).Status);
        Assert.Equal(AccessStatus.Unauthenticated, authorizer.Authorize(AccessOperation.Inference, null).Status);
        Assert.Equal(AccessStatus.Unauthenticated, authorizer.Authorize(AccessOperation.Inference, Inf + "x").Status);
        Assert.Equal(AccessStatus.Unauthenticated, authorizer.Authorize(AccessOperation.Inference, Inf[..^1]).Status);
        Assert.Equal(AccessStatus.Unauthenticated, authorizer.Authorize(AccessOperation.Inference, new string('k', 100_000)).Status);
        Assert.Equal(AccessStatus.Allowed, authorizer.Authorize(AccessOperation.Inference, Inf).Status);
        Assert.Equal(AccessStatus.Allowed, authorizer.Authorize(AccessOperation.Inference, Adm).Status);
        Assert.Equal(AccessStatus.Forbidden, authorizer.Authorize(AccessOperation.Administration, Inf).Status);
        Assert.Equal(AccessStatus.Forbidden, authorizer.Authorize(AccessOperation.Statistics, Inf).Status);
        Assert.Equal(AccessStatus.Allowed, authorizer.Authorize(AccessOperation.Administration, Adm).Status);
        Assert.Equal(16, authorizer.Authorize(AccessOperation.Inference, null).GrpcStatus);
        Assert.Equal(7, authorizer.Authorize(AccessOperation.Administration, Inf).GrpcStatus);
        Assert.Equal(AccessOperation.Administration, AccessControlMiddleware.Classify("/inference.GRPCInferenceService/RepositoryModelLoad"));
        Assert.Equal(AccessOperation.Health, AccessControlMiddleware.Classify("/inference.GRPCInferenceService/ServerReady"));
        Assert.Equal(AccessOperation.Inference, AccessControlMiddleware.Classify("/inference.GRPCInferenceService/ModelInfer"));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("has a space in it 0123")]
    [InlineData("")]
    public void Weak_keys_are_refused_at_startup_without_printing_them(string key)
    {
        var options = new AugurSecurityOptions { AdminApiKeys = [key] };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal("AdminApiKeys", error.ParamName);
        if (key.Length > 0)
        {
            Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_same_key_for_inference_and_administration_is_refused()
    {
        var options = new AugurSecurityOptions { AdminApiKeys = [Adm], InferenceApiKeys = [Adm] };

        Assert.Throws<ArgumentException>(options.Validate);
    }
}
