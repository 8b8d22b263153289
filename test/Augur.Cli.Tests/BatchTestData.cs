using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Augur.Cli.Tests;

/// <summary>The CSV rows batch job tests feed the fraud model, and read-only queries of the SQLite store a job writes.</summary>
internal static class BatchTestData
{
    public const string Header = "id,f0,f1,f2,f3,f4,f5,f6,f7\n";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Rows <paramref name="from"/> to <paramref name="to"/> (exclusive): key k{row}, eight features in [0, 1); <paramref name="corrupt"/> rows get 'oops' in f3.</summary>
    public static string Rows(int from, int to, params int[] corrupt)
    {
        var text = new StringBuilder();
        for (var r = from; r < to; r++)
        {
            var values = Enumerable.Range(0, 8).Select(i => (((r * 31) + (i * 17)) % 100 / 100f).ToString(CultureInfo.InvariantCulture)).ToArray();
            if (corrupt.Contains(r))
            {
                values[3] = "oops";
            }

            text.Append(CultureInfo.InvariantCulture, $"k{r},{string.Join(',', values)}\n");
        }

        return text.ToString();
    }

    /// <summary>Rows written plus bad rows committed for <paramref name="job"/>; 0 before the job has created its tables.</summary>
    public static async Task<long> CommittedAsync(string output, string job)
    {
        if (!File.Exists(output))
        {
            return 0;
        }

        try
        {
            return await ScalarAsync(output, $"SELECT COALESCE(SUM(rows_written + rows_failed), 0) FROM augur_batch_jobs WHERE job_id = '{job}'");
        }
        catch (SqliteException)
        {
            return 0; // the job is still creating its tables
        }
    }

    /// <summary>
    /// Polls the store until <paramref name="job"/> has committed exactly <paramref name="rows"/> rows (there is no
    /// event from another process's database to wait on); fails at once if it commits more or the process exits.
    /// </summary>
    public static async Task WaitForCommittedAsync(string output, string job, long rows, AugurProcess process)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var committed = await CommittedAsync(output, job);
            if (committed == rows)
            {
                return;
            }

            Assert.True(committed < rows, $"job {job} committed {committed} rows, more than the {rows} it was given");
            Assert.False(process.HasExited, $"augur exited before committing {rows} rows: {process.Stdout}{process.Stderr}");
            Assert.True(deadline.Elapsed < Timeout, $"job {job} committed {committed} of {rows} rows in {Timeout.TotalSeconds} s: {process.Stderr}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Runs <paramref name="command"/> again while it exits 5 saying another run holds the shard, as it does until the
    /// lease of a killed holder expires; returns the first other outcome. Each attempt starts a process and loads the
    /// models, so the attempts need no pause between them.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunWhileHeldAsync(params string[] command)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var run = await AugurProcess.RunAsync(command);
            if (run.ExitCode != 5)
            {
                return run;
            }

            Assert.Contains("is held by another run", run.Stderr, StringComparison.Ordinal);
            Assert.True(deadline.Elapsed < Timeout, $"the shard was still held after {Timeout.TotalSeconds} s: {run.Stderr}");
        }
    }

    /// <summary>How <c>augur batch</c> names a run holding a lease: host name and the process id.</summary>
    public static string Holder(AugurProcess process) => $"{Environment.MachineName}:{process.Id}";

    /// <summary>(rows, distinct row ids, smallest, largest) of a job's stored predictions.</summary>
    public static async Task<(long Rows, long Distinct, long Min, long Max)> StoredAsync(string output, string job)
    {
        await using var connection = await OpenAsync(output);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*), COUNT(DISTINCT row_id), COALESCE(MIN(row_id), -1), COALESCE(MAX(row_id), -1) FROM augur_predictions WHERE job_id = '{job}'";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    /// <summary>The job's bad rows.</summary>
    public static Task<long> ErrorsAsync(string output, string job) => ScalarAsync(output, $"SELECT COUNT(*) FROM augur_batch_errors WHERE job_id = '{job}'");

    private static async Task<long> ScalarAsync(string output, string sql)
    {
        await using var connection = await OpenAsync(output);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<SqliteConnection> OpenAsync(string output)
    {
        var connection = new SqliteConnection($"Data Source={output};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return connection;
    }
}
