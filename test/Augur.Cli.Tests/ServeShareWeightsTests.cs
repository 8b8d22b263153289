using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary><c>augur serve --share-weights</c>: the server-wide default for holding identical initializers once.</summary>
public sealed class ServeShareWeightsTests : IDisposable
{
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-share-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "--share-weights", "false" }, false)]
    [InlineData(new[] { "--share-weights", "true" }, true)]
    public async Task Two_tenants_over_one_encoder_share_it_unless_the_option_turns_sharing_off(string[] option, bool shared)
    {
        var encoder = TenantModels.Encoder();
        TestModels.WriteModel(_repository, "tenant_a", TenantModels.Model(encoder, TenantModels.Head(1)));
        TestModels.WriteModel(_repository, "tenant_b", TenantModels.Model(encoder, TenantModels.Head(2)));

        using var server = AugurProcess.Start(["serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0", .. option]);
        await server.WaitForListeningAsync();

        const string line = "Model tenant_b version 1 shares 1 of its 1 large initializer(s) (16384 of 16384 bytes) with the models loaded before it";
        if (shared)
        {
            Assert.Contains(line, server.Stdout, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("Augur.OnnxRuntime[3100]", server.Stdout, StringComparison.Ordinal);
        }

        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }
}
