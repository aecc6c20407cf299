using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Charts;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Reporting;
using SteelCI.Scheduling.Simulation;
using SteelCI.Testing;

namespace SteelCI.Scheduling.Tests;

/// <summary>The plan as text and as a Gantt PNG, and the simulator table.</summary>
public sealed class ReportTests : IDisposable
{
    private readonly TempDirectory _dir = new("plan");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_plan_lists_every_chunk_with_its_account_and_times_and_the_quota_per_week()
    {
        var result = await new Simulator(new SimulationOptions()).RunAsync(SeverstalPlan.Setup(3, TimeSpan.FromDays(7)), Strategy.Scheduler);

        var text = PlanText.Format("Severstal", result, SeverstalPlan.Stages(), TimeSpan.FromDays(7));

        Assert.Contains("finish 2026-11-28 17:35 UTC (+17h35m) on 3 account(s)", text);
        // The first chunk trains until its deadline, 2 min before the 11:45 tick (703 min), where the second starts.
        Assert.Matches(@"seg1\s+1 account\d\s+0-17.4 of 25\s+11-28 00:00 \(\+0h00m\)\s+11-28 11:43 \(\+11h43m\) trainer deadline, 2 min lost", text);
        Assert.Matches(@"seg1\s+2 account\d\s+17.4-25 of 25\s+11-28 11:45", text);
        Assert.Matches(@"submission\s+1 account\d\s+0-1 of 1\s+11-28 17:00", text);
        Assert.Matches(@"account1\s+\d+\.\d\d h", text);
        Assert.Contains("GPU time lost to cut-offs: 8 min in 4 session(s)", text);
    }

    [Fact]
    public async Task The_gantt_chart_is_a_png_with_a_lane_per_session_slot()
    {
        var result = await new Simulator(new SimulationOptions()).RunAsync(SeverstalPlan.Setup(2, TimeSpan.FromDays(7)), Strategy.Scheduler);
        var path = _dir.Combine("charts", "plan.png");

        var lanes = GanttChart.Save(result, "Severstal on 2 accounts", path);

        Assert.Equal(["account1 #1", "account1 #2", "account2 #1", "account2 #2"], lanes);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.True(bytes.Length > 10_000, $"only {bytes.Length} bytes");
    }

    [Fact]
    public async Task A_forecast_from_a_running_state_continues_the_open_sessions_and_spends_only_what_is_left()
    {
        var now = SeverstalPlan.Start.AddHours(6);
        var ledger = new QuotaLedger();
        ledger.Record("ana", "seg1", 0, 16, SeverstalPlan.Start, SeverstalPlan.Start.AddMinutes(5 + 16 * 42));
        var stages = SeverstalPlan.Stages();
        var done = new Dictionary<string, int> { ["binary"] = 20, ["multilabel"] = 20, ["seg2"] = 25, ["seg3"] = 25, ["seg4"] = 10 };
        var ana = (AccountSettings.Default("ana"), new QuotaSnapshot(TimeSpan.FromHours(30), TimeSpan.FromHours(20), TimeSpan.Zero, now.AddDays(2)));

        var forecast = await new Forecaster(new SimulationOptions()).PredictAsync(now, stages, done, [ana], ledger);

        Assert.True(forecast.Completed);
        var seg1 = forecast.Sessions.Where(s => s.Stage == "seg1").OrderBy(s => s.Start).ToList();
        Assert.Equal(SeverstalPlan.Start, seg1[0].Start);
        Assert.Equal(16, seg1[1].FromEpoch);
        Assert.All(stages, s => Assert.Equal(s.Epochs, forecast.EpochsDone[s.Name]));
        // 10 h were left this week and the open session may still use 5 h 17 min of them: 4 h 43 min train seg4 from
        // epoch 10 for 278 min after start-up (6.9 epochs at 40 min), the rest waits for the refresh.
        Assert.Contains(forecast.Sessions, s => s is { Stage: "seg4", FromExact: 10, ToExact: 16.9 } && s.Start == now);
        Assert.Contains(forecast.Sessions, s => s.Start >= now.AddDays(2));
    }

    [Fact]
    public async Task The_simulator_table_shows_the_bound_terms_and_a_ratio_per_row()
    {
        var options = new SimulationOptions();
        var rows = await SimulationBench.RunAsync([1, 2], options);

        var table = SimulationTable.Format(rows, options);

        Assert.Contains("(estimated: seg1 16.67 h -> 17.42 h)", table);
        Assert.Contains("(estimated: 72.30 h in 10 sessions)", table);
        // With the estimates exact, both bounds agree: 2 accounts are bound by quota (7d 03h40m), the critical path is 17h25m.
        Assert.Matches(@"\| 2 \| 1 \| 7d 03h40m \(17h25m / 7d 03h40m\) \| 7d 03h40m \(17h25m / 7d 03h40m\) \| 7d \d\dh\d\dm \| 1\.0\d\d / 1\.0\d\d \|", table);
        Assert.Contains("| accounts | SteelCI worst (seed) | round-robin worst (seed) | greedy worst (seed) |", table);
    }
}
