using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace Augur.Cli.Commands.Serve;

/// <summary>
/// Words why the configuration binder refused the settings (it found an unknown key or a value of the wrong type, but
/// its message names a .NET type and not where the key came from): the first key that names no setting, or whose value
/// does not convert to its setting's type, with its source (the settings file, an <c>AUGUR_</c> variable) and the option
/// that sets it. Values are converted the binder's way (<see cref="TypeDescriptor"/>); only non-string values can fail,
/// so no key or password is ever echoed.
/// </summary>
internal static class SettingProblem
{
    /// <summary>The problem, or null when none is found (the caller then falls back on the binder's message).</summary>
    /// <param name="configuration">The configuration the binder refused.</param>
    /// <param name="configFile">The settings file, as the user named it (or the default appsettings.json).</param>
    /// <param name="options">Setting keys to the options that set them, e.g. <c>HttpPort</c> → <c>--http-port</c>.</param>
    public static string? Find(IConfigurationRoot configuration, string configFile, IReadOnlyDictionary<string, string> options) =>
        FindIn(new Context(configuration, configFile, options), configuration.GetChildren(), typeof(ServeSettings));

    private static string? FindIn(Context context, IEnumerable<IConfigurationSection> sections, Type type)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true).ToArray();
        foreach (var section in sections)
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, section.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var parent = section.Path.Contains(':', StringComparison.Ordinal) ? $" of {section.Path[..section.Path.LastIndexOf(':')]}" : string.Empty;
                return $"unknown setting '{section.Path}' {context.Source(section.Path)}; remove it or correct its name (the settings{parent} are {string.Join(", ", properties.Select(p => p.Name))})";
            }

            if (Check(context, section, property.PropertyType) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Check(Context context, IConfigurationSection section, Type type)
    {
        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        if (scalar == typeof(string))
        {
            return null;
        }

        if (scalar.IsPrimitive || scalar.IsEnum || scalar == typeof(decimal))
        {
            if (section.Value is not { } value)
            {
                return null;
            }

            try
            {
                TypeDescriptor.GetConverter(scalar).ConvertFromInvariantString(value);
                return null;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
            {
                return $"{context.Name(section.Path)} {context.Source(section.Path)}: '{value}' is not {StartupFailure.Expected(scalar)}";
            }
        }

        if (ElementType(type) is { } element)
        {
            foreach (var item in section.GetChildren())
            {
                if (Check(context, item, element) is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }

        return FindIn(context, section.GetChildren(), type);
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType() : type.IsGenericType && type.GetGenericArguments() is [var element] && typeof(IEnumerable<>).MakeGenericType(element).IsAssignableFrom(type) ? element : null;

    private sealed record Context(IConfigurationRoot Configuration, string ConfigFile, IReadOnlyDictionary<string, string> Options)
    {
        /// <summary>The setting and its option, e.g. <c>HttpPort (--http-port)</c>; list indices are left out.</summary>
        public string Name(string path)
        {
            var setting = string.Join(':', path.Split(':').Where(segment => !segment.All(char.IsAsciiDigit)));
            return Options.TryGetValue(setting, out var option) ? $"{setting} ({option})" : setting;
        }

        /// <summary>Where the last source that has <paramref name="path"/> (and so wins) gives it.</summary>
        public string Source(string path)
        {
            foreach (var provider in Configuration.Providers.Reverse())
            {
                if (FirstKey(provider, path) is not { } key)
                {
                    continue;
                }

                return provider switch
                {
                    JsonConfigurationProvider => $"in {ConfigFile}",
                    EnvironmentVariablesConfigurationProvider => $"from the environment variable {ServeConfiguration.EnvironmentPrefix}{key.Replace(":", "__", StringComparison.Ordinal)}",
                    _ => "on the command line",
                };
            }

            return "in the settings";
        }

        // The key itself when it has a value, else its first descendant that has one: the variable a user can look for.
        private static string? FirstKey(IConfigurationProvider provider, string path)
        {
            if (provider.TryGet(path, out _))
            {
                return path;
            }

            foreach (var child in provider.GetChildKeys([], path).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (FirstKey(provider, $"{path}:{child}") is { } key)
                {
                    return key;
                }
            }

            return null;
        }
    }
}
