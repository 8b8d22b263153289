namespace Augur.Engine;

/// <summary>
/// The names a model folder may have: letters, digits, '_', '-', '.', not starting with '.', at most
/// 128 characters. Anything else (separators, "..", NUL, control characters) is not a model name, so a
/// name taken from a URL can never reach outside the repository.
/// </summary>
public static class ModelNames
{
    /// <summary>The longest accepted name.</summary>
    public const int MaxLength = 128;

    /// <summary>True when <paramref name="name"/> is a valid model name.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name[0] == '.')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses a version folder or URL segment: a positive integer without sign or leading zeros.</summary>
    public static bool TryParseVersion(string? text, out long version)
    {
        version = 0;
        return !string.IsNullOrEmpty(text) && text.Length <= 18 && text[0] is >= '1' and <= '9'
            && text.All(char.IsAsciiDigit) && long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out version);
    }
}
