namespace Augur.Precomputed;

/// <summary>A source as logs and load errors show it: the password of a URI (<c>postgres://user:secret@host</c>) hidden.</summary>
internal static class SourceText
{
    public static string Redact(string source)
    {
        var scheme = source.IndexOf("://", StringComparison.Ordinal);
        var at = source.LastIndexOf('@');
        if (scheme < 0 || at < scheme)
        {
            return source;
        }

        var colon = source.IndexOf(':', scheme + 3);
        return colon > 0 && colon < at ? string.Concat(source.AsSpan(0, colon + 1), "***", source.AsSpan(at)) : source;
    }
}
