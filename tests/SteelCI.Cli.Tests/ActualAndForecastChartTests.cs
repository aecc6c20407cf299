using SteelCI.Ports;
using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Charts;
using SteelCI.State;
using SteelCI.Testing;
using static SteelCI.Cli.Tests.Harness;

namespace SteelCI.Cli.Tests;

/// <summary>The tick's Gantt chart (issue 14 item 6): what ran, then the forecast of what is still to run.</summary>
public sealed class ActualAndForecastChartTests
{
    private static readonly Dictionary<string, string> Handle = new() { ["kernel"] = "k" };

    [Fact]
    public async Task The_chart_holds_the_recorded_attempts_then_the_forecast_of_the_stages_not_done_from_now_on()
    {
        var pipeline = PipelineLoading.Load(Repository.File("kernels", "severstal", "steelci.yml"), "ci", []);
        var done = pipeline.Nodes.Select(n => n.Name).Where(n => n is "severstal" or "binary").ToList();
        var state = NewState([.. pipeline.Nodes.Select(n => (n.Name,
            done.Contains(n.Name) ? StageStatus.Complete : n.Name == "seg1" ? StageStatus.Running : StageStatus.Pending,
            done.Contains(n.Name) ? new[] { Attempt(n.Name, 1, AttemptState.Complete, "kaggle", "kaggle1", handle: Handle) }
            : n.Name == "seg1" ? [Attempt(n.Name, 1, AttemptState.Running, "kaggle", "kaggle2", Start.AddMinutes(10), Handle)] : []))]);
        var now = Start.AddMinutes(40);
        var accounts = new[] { new AccountSettings("kaggle1", TimeSpan.Zero), new AccountSettings("kaggle2", TimeSpan.FromHours(29)) };

        var drawn = await ActualAndForecastChart.BuildAsync(state, pipeline, accounts, now, default);

        Assert.NotNull(drawn);
        var (chart, from, planned) = drawn.Value;
        Assert.Equal(now, from);
        var actual = chart.Sessions.Take(chart.Sessions.Count - planned).ToList();
        var forecast = chart.Sessions.Skip(actual.Count).ToList();
        Assert.Equal(3, actual.Count); // the dataset, binary and the running seg1 (drawn up to now)
        Assert.Contains(actual, s => s is { Stage: "seg1", Reason: Scheduling.Simulation.SessionEnd.Running } && s.End == now);
        Assert.All(forecast, s => Assert.True(s.Start >= now, $"{s.Stage} planned to start at {s.Start}, before now"));
        Assert.DoesNotContain(forecast, s => done.Contains(s.Stage)); // done stages are not planned again
        Assert.Contains(forecast, s => s.Stage == "submission");
        Assert.Contains(forecast, s => s.Stage == "seg1"); // a running stage is planned again from its start
        Assert.NotNull(chart.Finished);
        Assert.Equal(chart.Sessions.Count, chart.Sessions.Select(s => s.Id).Distinct().Count());

        using var dir = new TempDirectory("forecast-chart");
        var png = dir.Combine("gantt.png");
        GanttChart.Save(chart, "severstal", png, forecastFrom: now);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png).Take(4));
    }

    [Fact]
    public async Task A_finished_pipeline_has_nothing_to_forecast_and_no_attempts_no_chart()
    {
        var pipeline = PipelineLoading.Load(Repository.File("kernels", "severstal", "steelci.yml"), "ci", []);
        var accounts = new[] { new AccountSettings("kaggle1", TimeSpan.Zero) };
        var finished = NewState([.. pipeline.Nodes.Select(n => (n.Name, StageStatus.Complete,
            new[] { Attempt(n.Name, 1, AttemptState.Complete, "kaggle", "kaggle1", handle: Handle) }))]);

        var drawn = await ActualAndForecastChart.BuildAsync(finished, pipeline, accounts, Start.AddHours(1), default);

        Assert.NotNull(drawn);
        Assert.Equal(0, drawn.Value.Planned);
        Assert.Equal(pipeline.Nodes.Count, drawn.Value.Chart.Sessions.Count);
        Assert.Null(await ActualAndForecastChart.BuildAsync(NewState(), pipeline, accounts, Start, default));
    }
}
