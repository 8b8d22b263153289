using Augur.Fuzz;
using Augur.Fuzz.Engine;
using Augur.Fuzz.Targets;
using SharpFuzz;

// Augur.Fuzz TARGET                    one target (json, grpc, metadata) under afl-fuzz: input on stdin; once without it
// Augur.Fuzz replay [-v] TARGET PATH…   every file under PATH through the target, in this process (-v: each outcome)
// Augur.Fuzz seed DIR                   writes the seed corpus (DIR/json, DIR/grpc, DIR/metadata)
const string Usage = "usage: Augur.Fuzz json|grpc|metadata  |  Augur.Fuzz replay [-v] json|grpc|metadata PATH...  |  Augur.Fuzz seed DIR";

if (args is ["replay" or "seed", ..])
{
    TraceScratch.Install();
}

switch (args)
{
    case [var name] when FuzzTarget.Names.Contains(name):
        FuzzUnderAfl(name);
        return 0;
    case ["replay", "-v", var name, .. var paths] when FuzzTarget.Names.Contains(name) && paths.Length > 0:
        return Replay(name, paths, verbose: true);
    case ["replay", var name, .. var paths] when FuzzTarget.Names.Contains(name) && paths.Length > 0:
        return Replay(name, paths, verbose: false);
    case ["seed", var directory]:
        SeedCorpus.Write(directory);
        return 0;
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}

static void FuzzUnderAfl(string name)
{
    // The engine is built in the process that runs the inputs (SharpFuzz's child), not in the one talking to afl-fuzz.
    FuzzTarget? target = null;
    Fuzzer.OutOfProcess.Run(stream =>
    {
        target ??= FuzzTarget.Create(name, FuzzEngine.Start())!;
        using var input = new MemoryStream();
        stream.CopyTo(input);
        target.Run(input.GetBuffer().AsMemory(0, (int)input.Length));
    });
}

static int Replay(string name, string[] paths, bool verbose)
{
    IReadOnlyList<string> files;
    try
    {
        files = CorpusReplay.Files(paths);
    }
    catch (FileNotFoundException ex)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }

    using var engine = FuzzEngine.Start();
    var (passed, failures) = CorpusReplay.Run(FuzzTarget.Create(name, engine)!, files);
    foreach (var result in verbose ? passed : [])
    {
        Console.WriteLine($"ok     {result.File}: {result.Outcome}");
    }

    foreach (var failure in failures)
    {
        Console.WriteLine($"FAILED {failure.File}");
        Console.WriteLine(failure.Exception);
    }

    Console.WriteLine($"{name}: {files.Count} inputs, {failures.Count} failed");
    return failures.Count == 0 ? 0 : 1;
}
