using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Augur.Cli.Commands.Serve;

/// <summary>
/// Binds <see cref="ServeSettings"/> the usual .NET way: <c>appsettings.json</c> (the working directory's, or
/// <c>--config FILE</c>), then <c>AUGUR_*</c> environment variables (but <c>AUGUR_API_KEY</c>, the client commands' key), then the options given on the command line
/// (options left at their defaults do not override the file or the environment).
/// </summary>
internal static class ServeConfiguration
{
    public const string EnvironmentPrefix = "AUGUR_";

    /// <summary>
    /// Binds the settings, or returns why they cannot be, in one line: an unknown setting or a value of the wrong type
    /// (named with its source and option, see <see cref="SettingProblem"/>), or a settings file that is missing or not JSON.
    /// </summary>
    /// <param name="configFile">The <c>--config</c> file; null for appsettings.json in the working directory, if present.</param>
    /// <param name="commandLine">The options given on the command line, as setting keys.</param>
    /// <param name="options">Setting keys to the options that set them, to name both in messages.</param>
    /// <param name="problem">Why the settings cannot be bound; null when they are.</param>
    public static ServeSettings? Bind(string? configFile, IReadOnlyDictionary<string, string?> commandLine, IReadOnlyDictionary<string, string> options, out string? problem)
    {
        problem = null;
        var builder = new ConfigurationBuilder();
        string fileName;
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                problem = $"--config '{configFile}' does not exist; give the path of a JSON settings file";
                return null;
            }

            fileName = $"--config '{configFile}'";
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        else
        {
            fileName = Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
            builder.AddJsonFile(fileName, optional: true);
        }

        builder.Add(new ServeEnvironmentVariables());
        builder.AddInMemoryCollection(commandLine);
        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            // The JSON reader's own message (innermost) says where: "... LineNumber: 2 | BytePositionInLine: 14."
            problem = $"{fileName} is not valid JSON: {Innermost(ex).Message.TrimEnd('.')}; fix the file";
            return null;
        }

        try
        {
            var settings = new ServeSettings();
            configuration.Bind(settings, binder => binder.ErrorOnUnknownConfiguration = true);
            return settings;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            problem = SettingProblem.Find(configuration, fileName, options) ?? $"invalid configuration: {ex.Message}";
            return null;
        }
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is { } inner)
        {
            ex = inner;
        }

        return ex;
    }

    /// <summary>The options given on the command line (not left at their defaults) as configuration keys.</summary>
    public static Dictionary<string, string?> FromCommandLine(ParseResult parse, IEnumerable<(Option Option, string Key)> options)
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
