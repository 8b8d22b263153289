using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Augur.Cli.Commands.Serve;

/// <summary>
/// Binds <see cref="ServeSettings"/> the usual .NET way: <c>appsettings.json</c> (the working directory's, or
/// <c>--config FILE</c>), then <c>AUGUR_*</c> environment variables, then the options given on the command line
/// (options left at their defaults do not override the file or the environment).
/// </summary>
internal static class ServeConfiguration
{
    public const string EnvironmentPrefix = "AUGUR_";

    /// <summary>Binds the settings, or returns why they cannot be (an unknown setting, a value of the wrong type).</summary>
    public static ServeSettings? Bind(string? configFile, IReadOnlyDictionary<string, string?> commandLine, out string? problem)
    {
        problem = null;
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                problem = $"--config '{configFile}' does not exist";
                return null;
            }

            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        else
        {
            builder.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix).AddInMemoryCollection(commandLine);
        try
        {
            var settings = new ServeSettings();
            builder.Build().Bind(settings, options => options.ErrorOnUnknownConfiguration = true);
            return settings;
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the setting ("... at 'HttpPort' ..." or "... were not found: 'Sekurity'"); values are not echoed for keys.
            problem = $"invalid configuration: {ex.Message}";
        }
        catch (FormatException ex)
        {
            problem = $"invalid configuration: {ex.Message}";
        }
        catch (System.Text.Json.JsonException ex)
        {
            problem = $"invalid configuration file: {ex.Message}";
        }
        catch (InvalidDataException ex)
        {
            problem = $"invalid configuration file: {ex.Message}";
        }

        return null;
    }

    /// <summary>The options given on the command line (not left at their defaults) as configuration keys.</summary>
    public static Dictionary<string, string?> FromCommandLine(ParseResult parse, params (Option Option, string Key)[] options)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (option, key) in options)
        {
            if (parse.GetResult(option) is not { Implicit: false } result)
            {
                continue;
            }

            var value = result.GetValueOrDefault<object?>();
            if (value is System.Collections.IEnumerable list and not string)
            {
                var i = 0;
                foreach (var item in list)
                {
                    values[$"{key}:{i++}"] = Convert.ToString(item, CultureInfo.InvariantCulture);
                }
            }
            else
            {
                values[key] = Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }

        return values;
    }
}
