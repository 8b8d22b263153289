using System.Reflection;

namespace Augur.Workers;

/// <summary>
/// How the server starts a worker process: a program and the arguments before <c>worker …</c>. The default,
/// <see cref="ThisProgram"/>, is the running <c>augur</c> (the server's own executable, or <c>dotnet augur.dll</c>).
/// </summary>
/// <param name="FileName">The program to run.</param>
/// <param name="LeadingArguments">Arguments before the worker's own (e.g. the assembly for <c>dotnet</c>).</param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>The program this process runs: its apphost, or <c>dotnet</c> with the entry assembly.</summary>
    public static WorkerCommand ThisProgram()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown, so no worker can be started; set WorkerOptions.Command");
        if (Path.GetFileNameWithoutExtension(path) == "dotnet" && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry)
        {
            return new WorkerCommand(path, [entry]);
        }

        return new WorkerCommand(path, []);
    }
}
