namespace Augur.Samples.Tests;

/// <summary>samples/EdgeConsole, built and run as its own process: delivery times predicted in-process from stdin, no server.</summary>
public sealed class EdgeConsoleTests
{
    private const string Sample = "EdgeConsole";

    [Fact]
    public async Task Each_order_on_stdin_gets_its_predicted_minutes()
    {
        using var edge = SampleProcess.Start(Sample);

        await edge.WriteInputAsync("# distance_km,item_count,hour_of_day,is_raining\n3.5,2,18,1\n1.2, 1, 9, 0\n\n8,5,12,0\n");

        Assert.Equal(0, await edge.WaitForExitAsync());
        Assert.Equal("3.5,2,18,1 -> 35.3 min\n1.2, 1, 9, 0 -> 15.9 min\n8,5,12,0 -> 43.7 min\n", edge.Stdout);
        Assert.Equal(string.Empty, edge.Stderr);
    }

    [Fact]
    public async Task A_bad_line_is_reported_by_number_and_the_exit_code_is_1()
    {
        using var edge = SampleProcess.Start(Sample);

        await edge.WriteInputAsync("three,2,18,1\n3,2\n3.5,2,18,1\n");

        Assert.Equal(1, await edge.WaitForExitAsync());
        Assert.Equal("3.5,2,18,1 -> 35.3 min\n", edge.Stdout);
        Assert.Equal("line 1: distance_km 'three' is not a number\nline 2: expected 4 values (distance_km,item_count,hour_of_day,is_raining), got 2\n", edge.Stderr);
    }

    [Fact]
    public async Task A_model_repository_that_does_not_exist_is_exit_code_2()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"augur-missing-{Guid.NewGuid():N}");
        using var edge = SampleProcess.Start(Sample, missing);

        Assert.Equal(2, await edge.WaitForExitAsync());
        Assert.Equal($"EdgeConsole: the model repository '{missing}' does not exist; give its folder as the first argument\n", edge.Stderr);
    }
}
