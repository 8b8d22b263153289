using Augur.Workers.Supervision;
using Microsoft.Extensions.Logging;

namespace Augur.Workers.Tests.Supervision;

public sealed class WorkerLogLineTests
{
    [Theory]
    [InlineData("11:48:40 info: Augur.Workers[3000] Worker loaded model ranker", LogLevel.Information, "Augur.Workers[3000] Worker loaded model ranker")]
    [InlineData("00:00:00 fail: Augur.Workers[3004] a batch failed", LogLevel.Error, "Augur.Workers[3004] a batch failed")]
    [InlineData("23:59:59 crit: x", LogLevel.Critical, "x")]
    [InlineData("12:00:01 dbug: y", LogLevel.Debug, "y")]
    [InlineData("12:00:01 trce: z", LogLevel.Trace, "z")]
    [InlineData("12:00:01 warn: w", LogLevel.Warning, "w")]
    public void A_worker_log_line_keeps_its_level_and_loses_its_timestamp(string line, LogLevel level, string message)
    {
        Assert.Equal((level, message), WorkerLogLine.Parse(line));
    }

    [Theory]
    [InlineData("Unhandled exception. System.InvalidOperationException: boom")]
    [InlineData("   at Augur.Workers.Hosting.WorkerModel.ExecuteAsync()")]
    [InlineData("11:48:40 note: not a level")]
    [InlineData("1:48:40 info: short timestamp")]
    [InlineData("11:48:40 info:")]
    [InlineData("")]
    public void Any_other_line_is_a_warning_as_it_is(string line)
    {
        Assert.Equal((LogLevel.Warning, line), WorkerLogLine.Parse(line));
    }
}
