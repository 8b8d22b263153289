using System.Globalization;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.Tensors;
using Augur.Testing;
using Augur.WorkerTransport;

// The cost of the worker transport per batch (the batch socket and gRPC, both on Unix sockets, raw tensor bytes in
// protobuf bytes fields) against the same model in process and against the least a shared-memory transport would cost.
// See docs/benchmarks/README.md ("Worker transport: how it runs").
if (args is ["--echo", var echoSocket])
{
    return EchoPeer.Serve(echoSocket);
}

var settings = BenchSettings.Parse(args, out var problem);
if (problem is not null)
{
    Console.Error.WriteLine($"Augur.WorkerTransport: {problem}");
    Console.Error.WriteLine(BenchSettings.Usage);
    return 2;
}

var scratch = Directory.CreateTempSubdirectory("augur-wt-").FullName;
var owned = new List<IAsyncDisposable>();
try
{
    var loadBefore = LoadAverage();
    var random = new Random(20261202);
    var cases = new List<TransportCase>();
    if (settings.Sizes.Count > 0)
    {
        var identity = Path.Combine(scratch, "identity", "1");
        Directory.CreateDirectory(identity);
        await File.WriteAllBytesAsync(Path.Combine(identity, OnnxRuntimeBackend.ModelFileName), TestModels.Identity(DataType.Fp32, -1, TransportCase.IdentityRowElements));
        var (worker, local) = await StartAsync("identity", identity, null, ModelConfig.Empty);
        cases.AddRange(settings.Sizes.Select(bytes => TransportCase.Identity(bytes, worker, local, random)));
    }

    foreach (var (model, batch) in settings.Samples)
    {
        var version = Path.Combine(settings.SampleRepository!, model, "1");
        var configPath = Path.Combine(settings.SampleRepository!, model, ModelConfigReader.FileName);
        var config = ModelConfig.Empty;
        if (File.Exists(configPath) && !ModelConfigReader.TryParse(await File.ReadAllTextAsync(configPath), out config, out var invalid))
        {
            throw new InvalidOperationException($"{configPath}: {invalid}");
        }

        var (worker, local) = await StartAsync(model, version, File.Exists(configPath) ? configPath : null, config);
        var sample = TransportCase.Sample(model, batch, worker, local, random);
        cases.Add(sample with { OutputBytes = await OutputBytesAsync(local, sample.Batch) });
    }

    using var region = SharedRegion.Create(cases.Max(c => Math.Max(c.InputBytes, c.OutputBytes)));
    using var echo = await EchoPeer.StartAsync(Path.Combine(scratch, "echo.sock"));
    var results = new List<CaseResult>();
    foreach (var c in cases)
    {
        Console.Error.WriteLine($"# {c.Name}: {Sizes.Format(c.InputBytes)} in, {Sizes.Format(c.OutputBytes)} out");
        GC.Collect();
        results.Add(await CaseRunner.MeasureAsync(c, region, echo, settings));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Worker transport, {DateTime.Now:yyyy-MM-dd HH:mm}, {Environment.ProcessorCount} cores, load average {loadBefore} before and {LoadAverage()} after; "
        + $"worker: {cases[0].Worker.Describe}; shared memory: {region.Path}; about {settings.SecondsPerCase:0.#} s per case. Times in µs."));
    Console.WriteLine();
    Console.Write(ResultTable.Format(results));
    return 0;
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
{
    Console.Error.WriteLine($"Augur.WorkerTransport: {ex.Message}");
    return 1;
}
finally
{
    foreach (var disposable in Enumerable.Reverse(owned))
    {
        await disposable.DisposeAsync();
    }

    Directory.Delete(scratch, recursive: true);
}

async Task<(WorkerUnderTest Worker, LocalModel Local)> StartAsync(string name, string versionDirectory, string? configPath, ModelConfig config)
{
    Console.Error.WriteLine($"# starting the worker of '{name}'");
    var worker = await WorkerUnderTest.StartAsync(settings.Augur, name, versionDirectory, configPath, config, Path.Combine(scratch, $"{name}.sock"));
    owned.Add(worker);
    var local = await LocalModel.LoadAsync(versionDirectory, name, config);
    owned.Add(local);
    return (worker, local);
}

// A sample model's output bytes for the batch: one local run tells.
static async Task<int> OutputBytesAsync(LocalModel local, IReadOnlyList<Augur.Inference.InferenceRequest> batch)
{
    var result = await local.ExecuteAsync(batch);
    return result.Error is { } error
        ? throw new InvalidOperationException($"the sample batch failed in process: {error.Message}")
        : result.Outputs!.Sum(r => r.Sum(t => t.Data.Length));
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
