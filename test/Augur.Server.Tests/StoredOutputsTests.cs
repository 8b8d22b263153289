using System.Globalization;
using System.Text;
using System.Text.Json;
using Augur.Batch;
using Augur.Batch.Storage;
using Augur.Testing;
using Microsoft.Data.Sqlite;

namespace Augur.Server.Tests;

/// <summary>
/// A batch job stores, for each row, the very JSON the server answers for that row alone: both go through one
/// tensor codec, so the datatypes JSON handles worst (FP16, BF16, UINT64, INT64, NaN, ±∞) agree to the byte.
/// </summary>
public sealed class StoredOutputsTests
{
    // x: NaN and ±∞, FP16's max, a value past it (∞ in FP16, finite in BF16), subnormals of FP16 and of BF16, -0.
    // n: [1000, -1000, -1] makes signed INT64 max, INT64 min and -1, so unsigned holds 2⁶³ - 1, 2⁶³ and UINT64 max.
    private static readonly (string Key, string[] X, long[] N)[] Rows =
    [
        ("k0", ["0.1", "NaN", "-Infinity"], [1000, -1000, -1]),
        ("k1", ["65504", "70000", "6E-08"], [0, 0, 0]),
        ("k2", ["1E-40", "-0", "3.4E+38"], [-1, 1, 1000]),
        ("k3", ["Infinity", "0.33333334", "-2.5"], [-1000, 999, -2]),
    ];

    [Fact]
    public async Task A_batch_job_stores_byte_for_byte_the_outputs_the_server_answers_for_the_same_row()
    {
        var repository = Path.Combine(Path.GetTempPath(), $"augur-stored-outputs-{Guid.NewGuid():N}");
        TestModels.WriteModel(repository, "casts", TestModels.Casts());
        await using var host = await TestHost.StartAsync(repository);
        var folder = Directory.CreateTempSubdirectory("augur-stored-outputs-").FullName;
        try
        {
            var csv = Path.Combine(folder, "rows.csv");
            File.WriteAllLines(csv, ["id,x0,x1,x2,n0,n1,n2", .. Rows.Select(r => string.Join(',', [r.Key, .. r.X, .. r.N.Select(Invariant)]))]);
            Assert.True(StoreLocation.TryParse(Path.Combine(folder, "predictions.db"), out var location, out var problem), problem);

            // All four rows go to the engine as one request, so the job also has to cut each row out of a batched output.
            var job = await new BatchJob(host.Engine, new BatchJobOptions
            {
                Model = "casts",
                Input = csv,
                Output = location,
                Map = ["x=x0..x2", "n=n0..n2"],
                KeyColumn = "id",
                RequestRows = Rows.Length,
            }).RunAsync().WaitAsync(ServerFixture.Timeout);
            Assert.True(job.ExitCode == BatchExitCode.Completed, job.Message);
            Assert.Equal(Rows.Length, job.RowsWritten);

            await using var store = await PredictionStore.OpenAsync(location).WaitAsync(ServerFixture.Timeout);
            var stored = new Dictionary<string, string>();
            foreach (var row in Rows)
            {
                using var response = await host.Client.PostAsync("/v2/models/casts/infer", new StringContent(RowRequest(row), Encoding.UTF8, "application/json"));
                var body = await response.Content.ReadAsByteArrayAsync();
                Assert.True(response.IsSuccessStatusCode, Encoding.UTF8.GetString(body));

                var prediction = await store.GetPredictionAsync("casts", row.Key).WaitAsync(ServerFixture.Timeout);
                Assert.NotNull(prediction);
                Assert.Equal(OutputsAsStored(body), prediction.OutputsJson);
                stored[row.Key] = prediction.OutputsJson;
            }

            // The rows do hold the values at stake, so agreeing is not agreeing on something easy.
            Assert.Equal(
                """{"half":[0.099975586,"NaN","-Infinity"],"brain":[0.100097656,"NaN","-Infinity"],"signed":[9223372036854775807,-9223372036854775808,-1],"unsigned":[9223372036854775807,9223372036854775808,18446744073709551615]}""",
                stored["k0"]);
            Assert.StartsWith("""{"half":[65504,"Infinity",5.9604645E-08],""", stored["k1"], StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The row as an infer request of one row: the same text as the CSV, with NaN and ±∞ as the protocol's strings.</summary>
    private static string RowRequest((string Key, string[] X, long[] N) row)
    {
        var x = string.Join(',', row.X.Select(v => v is "NaN" or "Infinity" or "-Infinity" ? $"\"{v}\"" : v));
        var n = string.Join(',', row.N.Select(Invariant));
        return $$"""{"inputs":[{"name":"x","datatype":"FP32","shape":[1,3],"data":[{{x}}]},{"name":"n","datatype":"INT64","shape":[1,3],"data":[{{n}}]}]}""";
    }

    /// <summary>The response's outputs in the stored form, <c>{"name":data,...}</c>, each data array copied byte for byte from the body.</summary>
    private static string OutputsAsStored(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var outputs = document.RootElement.GetProperty("outputs").EnumerateArray()
            .Select(o => $"\"{o.GetProperty("name").GetString()}\":{o.GetProperty("data").GetRawText()}");
        return "{" + string.Join(',', outputs) + "}";
    }
}
