using System.Globalization;
using System.Text;

namespace Augur.WorkerTransport;

/// <summary>The results as a Markdown table, all times in microseconds.</summary>
internal static class ResultTable
{
    public static string Format(IReadOnlyList<CaseResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| case | in + out | n | in-process p50 / p90 | worker gRPC p50 / p90 | shm bound p50 / p90 | empty call p50 | raw socket p50 / p90 | gRPC extra p50 / p90 | gRPC extra µs/MiB | shm bound µs/MiB | raw socket µs/MiB | gRPC extra / shm bound | worker / (in-process + shm) | extra / in-process: gRPC, shm |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var inProcess = Percentiles.Median(r.InProcess);
            var worker = Percentiles.Median(r.Worker);
            var shared = Percentiles.Median(r.SharedMemoryBound);
            var extra = Percentiles.Median(r.WorkerExtra);
            var socket = Percentiles.Median(r.RawSocket);
            var moved = r.MovedMiB;
            text.Append(CultureInfo.InvariantCulture, $"| {r.Case.Name} | {Sizes.Format(r.Case.InputBytes)} + {Sizes.Format(r.Case.OutputBytes)} | {r.Iterations} ")
                .Append(CultureInfo.InvariantCulture, $"| {Us(inProcess)} / {Us(Percentiles.P90(r.InProcess))} ")
                .Append(CultureInfo.InvariantCulture, $"| {Us(worker)} / {Us(Percentiles.P90(r.Worker))} ")
                .Append(CultureInfo.InvariantCulture, $"| {Us(shared)} / {Us(Percentiles.P90(r.SharedMemoryBound))} ")
                .Append(CultureInfo.InvariantCulture, $"| {Us(Percentiles.Median(r.EmptyCall))} ")
                .Append(CultureInfo.InvariantCulture, $"| {Us(socket)} / {Us(Percentiles.P90(r.RawSocket))} ")
                .Append(CultureInfo.InvariantCulture, $"| {Us(extra)} / {Us(Percentiles.P90(r.WorkerExtra))} ")
                .Append(CultureInfo.InvariantCulture, $"| {Us(extra / moved)} | {Us(shared / moved)} | {Us(socket / moved)} ")
                .Append(CultureInfo.InvariantCulture, $"| {Ratio(extra / shared)} | {Ratio(worker / (inProcess + shared))} ")
                .Append(CultureInfo.InvariantCulture, $"| {Ratio(extra / inProcess)}, {Ratio(shared / inProcess)} |")
                .AppendLine();
        }

        return text.ToString();
    }

    private static string Us(double microseconds) => Math.Abs(microseconds) >= 100
        ? microseconds.ToString("#,0", CultureInfo.InvariantCulture)
        : microseconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Ratio(double ratio) => ratio.ToString(Math.Abs(ratio) >= 10 ? "0" : "0.00", CultureInfo.InvariantCulture);
}
