using Microsoft.Extensions.Logging;

namespace Augur.Workers.Supervision;

/// <summary>
/// A line a spawned worker wrote to its standard error, read back into a level and a message. The worker logs in the
/// console's single-line form (<c>HH:mm:ss info: Category[Id] message</c>), so its lines keep their level in the
/// server's log instead of all becoming warnings, and lose the worker's timestamp (the server's own comes first). Any
/// other line (the runtime's report of an unhandled exception, a native library's message) is a warning as it is.
/// </summary>
internal static class WorkerLogLine
{
    private const int TimestampLength = 9;   // "HH:mm:ss "

    public static (LogLevel Level, string Message) Parse(string line)
    {
        if (line.Length > TimestampLength + 6 && IsTimestamp(line.AsSpan(0, TimestampLength)) && line[TimestampLength + 4] == ':'
            && line[TimestampLength + 5] == ' ' && LevelOf(line.AsSpan(TimestampLength, 4)) is { } level)
        {
            return (level, line[(TimestampLength + 6)..]);
        }

        return (LogLevel.Warning, line);
    }

    private static bool IsTimestamp(ReadOnlySpan<char> text) =>
        char.IsAsciiDigit(text[0]) && char.IsAsciiDigit(text[1]) && text[2] == ':' && char.IsAsciiDigit(text[3])
        && char.IsAsciiDigit(text[4]) && text[5] == ':' && char.IsAsciiDigit(text[6]) && char.IsAsciiDigit(text[7]) && text[8] == ' ';

    private static LogLevel? LevelOf(ReadOnlySpan<char> word) => word switch
    {
        "trce" => LogLevel.Trace,
        "dbug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "fail" => LogLevel.Error,
        "crit" => LogLevel.Critical,
        _ => null,
    };
}
