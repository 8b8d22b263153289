using System.Globalization;
using System.Text;

namespace Augur.WorkerTransport;

/// <summary>The results as a Markdown table, all times in microseconds.</summary>
internal static class ResultTable
{
    public static string Format(IReadOnlyList<CaseResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| case | in + out | n | in-process p50 / p90 | worker gRPC p50 / p90 | worker batch socket p50 / p90 | shm bound p50 / p90 | empty batch p50 | raw socket p50 / p90 "
            + "| gRPC extra p50 / p90 | batch socket extra p50 / p90 | gRPC extra µs/MiB | batch socket extra µs/MiB | shm bound µs/MiB | raw socket µs/MiB "
            + "| batch socket extra / gRPC extra | batch socket extra / shm bound | extra / in-process: gRPC, batch socket, shm |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var inProcess = Percentiles.Median(r.InProcess);
            var shared = Percentiles.Median(r.SharedMemoryBound);
            var grpcExtra = Percentiles.Median(r.GrpcExtra);
            var batchExtra = Percentiles.Median(r.BatchSocketExtra);
            var socket = Percentiles.Median(r.RawSocket);
            var moved = r.MovedMiB;
            text.Append(CultureInfo.InvariantCulture, $"| {r.Case.Name} | {Sizes.Format(r.Case.InputBytes)} + {Sizes.Format(r.Case.OutputBytes)} | {r.Iterations} ")
                .Append(CultureInfo.InvariantCulture, $"| {Pair(r.InProcess)} | {Pair(r.Grpc)} | {Pair(r.BatchSocket)} | {Pair(r.SharedMemoryBound)} ")
                .Append(CultureInfo.InvariantCulture, $"| {Us(Percentiles.Median(r.EmptyCall))} | {Pair(r.RawSocket)} ")
                .Append(CultureInfo.InvariantCulture, $"| {Pair(r.GrpcExtra)} | {Pair(r.BatchSocketExtra)} ")
                .Append(CultureInfo.InvariantCulture, $"| {Us(grpcExtra / moved)} | {Us(batchExtra / moved)} | {Us(shared / moved)} | {Us(socket / moved)} ")
                .Append(CultureInfo.InvariantCulture, $"| {Ratio(batchExtra / grpcExtra)} | {Ratio(batchExtra / shared)} ")
                .Append(CultureInfo.InvariantCulture, $"| {Ratio(grpcExtra / inProcess)}, {Ratio(batchExtra / inProcess)}, {Ratio(shared / inProcess)} |")
                .AppendLine();
        }

        return text.ToString();
    }

    private static string Pair(double[] values) => $"{Us(Percentiles.Median(values))} / {Us(Percentiles.P90(values))}";

    private static string Us(double microseconds) => Math.Abs(microseconds) >= 100
        ? microseconds.ToString("#,0", CultureInfo.InvariantCulture)
        : microseconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Ratio(double ratio) => ratio.ToString(Math.Abs(ratio) >= 10 ? "0" : "0.00", CultureInfo.InvariantCulture);
}
