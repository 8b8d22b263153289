using System.Text.Json;
using System.Text.RegularExpressions;

namespace Augur.Cli.Tests.Deploy;

/// <summary>One instruction of a Dockerfile: its keyword (upper case), its arguments with continuations joined, its flags.</summary>
internal sealed partial record DockerInstruction(string Keyword, string Arguments)
{
    /// <summary>The leading <c>--name=value</c> flags (e.g. COPY --from=build, HEALTHCHECK --interval=10s).</summary>
    public IReadOnlyDictionary<string, string> Flags => FlagsAndRest().Flags;

    /// <summary>The arguments after the flags.</summary>
    public string Rest => FlagsAndRest().Remainder;

    /// <summary>The exec (JSON array) form of <see cref="Rest"/>; throws when it is not one.</summary>
    public string[] ExecForm =>
        Rest.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(Rest)! : throw new FormatException($"{Keyword} {Rest} is not in exec (JSON) form");

    /// <summary>The words of <see cref="Rest"/>, or its items when it is a JSON array.</summary>
    public string[] Words => Rest.StartsWith('[') ? ExecForm : Rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private (Dictionary<string, string> Flags, string Remainder) FlagsAndRest()
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = Arguments;
        while (Flag().Match(rest) is { Success: true } flag)
        {
            flags[flag.Groups[1].Value] = flag.Groups[2].Value;
            rest = rest[flag.Length..].TrimStart();
        }

        return (flags, rest);
    }

    [GeneratedRegex(@"^--([a-z-]+)(?:=(\S*))?\s*")]
    private static partial Regex Flag();
}

/// <summary>A build stage: from FROM to the next FROM.</summary>
internal sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    public DockerInstruction? Last(string keyword) => All(keyword).LastOrDefault();
}

/// <summary>
/// A Dockerfile read the way the builder reads it: comment lines dropped, lines ending in a backslash joined with the
/// next, one instruction per logical line, split into stages at each FROM.
/// </summary>
internal sealed class Dockerfile
{
    private Dockerfile(string path, string text, IReadOnlyList<DockerStage> stages)
    {
        Path = path;
        Text = text;
        Stages = stages;
    }

    public string Path { get; }

    /// <summary>The whole file, comments included.</summary>
    public string Text { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>The stage the image is made of.</summary>
    public DockerStage Final => Stages[^1];

    public static Dockerfile Load(string path)
    {
        var text = File.ReadAllText(path);
        var stages = new List<DockerStage>();
        string? image = null, name = null;
        var instructions = new List<DockerInstruction>();
        foreach (var line in LogicalLines(text))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            var instruction = new DockerInstruction(parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1].Trim() : "");
            if (instruction.Keyword == "FROM")
            {
                if (image is not null)
                {
                    stages.Add(new DockerStage(image, name, instructions));
                }

                var words = instruction.Rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                (image, name, instructions) = (words[0], words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null, []);
                continue;
            }

            if (image is null)
            {
                throw new FormatException($"{path}: {instruction.Keyword} before the first FROM");
            }

            instructions.Add(instruction);
        }

        if (image is null)
        {
            throw new FormatException($"{path} has no FROM");
        }

        stages.Add(new DockerStage(image, name, instructions));
        return new Dockerfile(path, text, stages);
    }

    private static IEnumerable<string> LogicalLines(string text)
    {
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                // A comment (or a parser directive), also inside a continued instruction, where the builder skips it too.
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1].TrimEnd() + " ";
                continue;
            }

            current += line;
            if (current.Trim().Length > 0)
            {
                yield return current.Trim();
            }

            current = "";
        }

        if (current.Trim().Length > 0)
        {
            yield return current.Trim();
        }
    }
}
