using System.Data.Common;
using System.Globalization;
using System.Text;
using Augur.Batch.Storage;
using Augur.Inference;
using Augur.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Augur.Batch.Tests;

/// <summary>The sample fraud model (8 FP32 features → probability, label) served by one engine for a test class.</summary>
public sealed class FraudEngine : IAsyncLifetime
{
    public InferenceEngine Engine { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Engine = await new InferenceEngineBuilder().UseModelRepository(RepositoryPaths.SampleModels).UseOnnxRuntime().BuildAsync().WaitAsync(BatchHarness.Timeout);

    public async Task DisposeAsync() => await Engine.DisposeAsync();
}

/// <summary>Input files, job runs and queries of the stored rows.</summary>
internal static class BatchHarness
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>A temporary folder deleted by the caller's <c>using</c>.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"augur-batch-{Guid.NewGuid():N}");

        public TempFolder() => Directory.CreateDirectory(Path);

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The features of row <paramref name="row"/>: deterministic, in [0, 1).</summary>
    public static float[] Features(int row) => Enumerable.Range(0, 8).Select(i => (float)(((row * 31) + (i * 17)) % 100) / 100f).ToArray();

    /// <summary>A CSV of <paramref name="rows"/> rows: id (k0, k1, ...), f0..f7. <paramref name="corrupt"/> rows get 'oops' in f3.</summary>
    public static string WriteCsv(string path, int rows, params int[] corrupt)
    {
        var text = new StringBuilder("id,f0,f1,f2,f3,f4,f5,f6,f7\n");
        for (var r = 0; r < rows; r++)
        {
            var values = Features(r).Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
            if (corrupt.Contains(r))
            {
                values[3] = "oops";
            }

            text.Append(CultureInfo.InvariantCulture, $"k{r},{string.Join(',', values)}\n");
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    public static BatchJobOptions CsvJob(string input, string output, string jobId) => new()
    {
        Model = "fraud",
        Input = input,
        Output = Store(output),
        JobId = jobId,
        Map = ["features=f0..f7"],
        KeyColumn = "id",
        ChunkSize = 64,
        Concurrency = 3,
    };

    public static StoreLocation Store(string text) => StoreLocation.TryParse(text, out var location, out var problem) ? location : throw new ArgumentException(problem);

    public static Task<BatchJobResult> RunAsync(InferenceEngine engine, BatchJobOptions options) => new BatchJob(engine, options).RunAsync().WaitAsync(Timeout);

    /// <summary>(rows, distinct row ids) of a job's predictions.</summary>
    public static async Task<(long Rows, long Distinct)> CountAsync(StoreLocation store, string jobId)
    {
        await using var connection = await Open(store);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*), COUNT(DISTINCT row_id) FROM augur_predictions WHERE job_id = '{jobId}'";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
    }

    /// <summary>The stored row ids of a job, sorted.</summary>
    public static async Task<long[]> RowIdsAsync(StoreLocation store, string jobId, string table = "augur_predictions")
    {
        await using var connection = await Open(store);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT row_id FROM {table} WHERE job_id = '{jobId}' ORDER BY row_id";
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync())
        {
            ids.Add(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture));
        }

        return ids.ToArray();
    }

    /// <summary>What the engine answers for one row, asked directly: the value every stored prediction must hold.</summary>
    public static async Task<float> DirectProbabilityAsync(InferenceEngine engine, float[] features)
    {
        var response = await engine.InferAsync(new InferenceRequest("fraud", [Tensors.InferenceTensor.Create("features", features, 1, 8)])).AsTask().WaitAsync(Timeout);
        return response["probability"].AsSpan<float>()[0];
    }

    /// <summary>Reports on the job's own thread, so a test can act at an exact count (unlike <see cref="Progress{T}"/>).</summary>
    public sealed class SynchronousProgress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }

    /// <summary>
    /// Moves the job's lease heartbeats an hour back, stale for any lease timeout the tests use. The database's clock
    /// decides expiry, so this is how a test makes a holder "stop beating" without waiting.
    /// </summary>
    public static Task AgeLeaseAsync(StoreLocation store, string jobId) =>
        ExecuteAsync(store, $"UPDATE augur_batch_leases SET heartbeat_ms = heartbeat_ms - 3600000 WHERE job_id = '{jobId}'");

    /// <summary>Makes a named pipe at <paramref name="path"/>: an input that can be read once, and that blocks its reader until written.</summary>
    public static async Task<string> MakeFifoAsync(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        await mkfifo.WaitForExitAsync().WaitAsync(Timeout);
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>Runs one statement on the store, outside any job.</summary>
    public static async Task<int> ExecuteAsync(StoreLocation store, string sql)
    {
        await using var connection = await Open(store);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<DbConnection> Open(StoreLocation store)
    {
        DbConnection connection = store.Kind == StoreKind.Sqlite ? new SqliteConnection(store.ConnectionString) : new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
