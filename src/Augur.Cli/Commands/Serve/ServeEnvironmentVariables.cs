using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Augur.Cli.Commands.Serve;

/// <summary>
/// The <c>AUGUR_*</c> environment variables as serve settings, without <c>AUGUR_API_KEY</c>: that one is the key the
/// client commands (<c>augur models load --url ...</c>) send, not a server setting, so a shell that exports it for them
/// can still start <c>augur serve</c>.
/// </summary>
internal sealed class ServeEnvironmentVariables : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider();

    private sealed class Provider() : EnvironmentVariablesConfigurationProvider(ServeConfiguration.EnvironmentPrefix)
    {
        private static readonly string ClientKey = ModelControlCommands.ApiKeyVariable[ServeConfiguration.EnvironmentPrefix.Length..];

        public override void Load()
        {
            base.Load();
            Data.Remove(ClientKey);
        }
    }
}
