using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Simulation;

namespace SteelCI.Scheduling.Tests;

/// <summary>The issue's acceptance figures on the Severstal plan, and the invariants every simulated run must keep.</summary>
public sealed class SimulatorTests
{
    private static readonly SimulationOptions Exact = new();

    private static Task<SimulationResult> Run(int accounts, Strategy strategy = Strategy.Scheduler, SimulationOptions? options = null)
    {
        options ??= Exact;
        return new Simulator(options).RunAsync(SeverstalPlan.Setup(accounts, options.RefreshPeriod), strategy);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Makespan_is_within_ten_percent_of_the_lower_bound(int accounts)
    {
        var result = await Run(accounts);
        var setup = SeverstalPlan.Setup(accounts, Exact.RefreshPeriod);
        var bound = LowerBound.Compute(setup.Stages, setup.Accounts, Exact.Scheduler, Exact.RefreshPeriod).Value;

        Assert.True(result.Completed);
        Assert.InRange(result.Makespan!.Value / bound, 1.0, 1.10);
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.0)]
    [InlineData(3, 0.0)]
    [InlineData(6, 0.0)]
    [InlineData(1, 0.15)]
    [InlineData(2, 0.15)]
    [InlineData(3, 0.15)]
    [InlineData(6, 0.15)]
    public async Task No_account_overspends_no_cap_or_session_limit_is_passed_and_no_finished_work_is_lost(int accounts, double jitter)
    {
        var options = Exact with { Jitter = jitter, Seed = 7 };
        var result = await Run(accounts, options: options);

        Assert.True(result.Completed);
        Assert.Empty(result.Refusals);
        Assert.All(SeverstalPlan.Stages(), s => Assert.Equal(s.Epochs, result.EpochsDone[s.Name]));
        Assert.All(result.MaxWeekUse.Values, use => Assert.True(use <= SeverstalPlan.WeeklyQuota, $"{use} used in one week"));
        Assert.True(result.MaxConcurrentPerAccount <= 2);
        Assert.True(result.LongestSession <= TimeSpan.FromHours(12), $"a session ran {result.LongestSession}");
        Assert.DoesNotContain(result.Sessions, s => s.Reason is SessionEnd.QuotaExhausted or SessionEnd.SessionLimit);
        // A chunk that is not its stage's last trains until its deadline; the trainer keeps its position there, so a
        // cut-off loses at most the checkpoint unit in progress (a tenth of an epoch).
        var perEpoch = SeverstalPlan.Stages().ToDictionary(s => s.Name, s => s.PerEpoch);
        Assert.All(result.Sessions.Where(s => s.Reason != SessionEnd.Completed), s =>
        {
            Assert.Equal(SessionEnd.TrainerDeadline, s.Reason);
            Assert.True(s.Lost <= perEpoch[s.Stage] / 10 * (1 + jitter) * (1 + jitter / 3), $"{s.Stage} lost {s.Lost}");
        });
    }

    [Fact]
    public async Task A_cut_off_loses_at_most_the_epoch_in_progress()
    {
        var options = Exact with { Jitter = 0.15, Seed = 3 };
        var stages = SeverstalPlan.Stages().ToDictionary(s => s.Name);
        var cutOffs = new List<SimulatedSession>();
        foreach (var accounts in Enumerable.Range(1, 6))
            cutOffs.AddRange((await Run(accounts, options: options)).Sessions.Where(s => s.Reason != SessionEnd.Completed));

        Assert.NotEmpty(cutOffs);
        Assert.All(cutOffs, s =>
        {
            Assert.Equal(SessionEnd.TrainerDeadline, s.Reason);
            Assert.True(s.Lost <= stages[s.Stage].PerEpoch * (1 + options.Jitter), $"{s.Stage} lost {s.Lost}");
        });
    }

    [Fact]
    public async Task The_owners_reserve_is_never_touched()
    {
        var accounts = new[] { new AccountSettings("ana", TimeSpan.FromHours(10)), new AccountSettings("ben", TimeSpan.FromHours(25)) };
        var setup = SimulationSetup.Fresh(SeverstalPlan.Start, SeverstalPlan.Stages(), accounts, SeverstalPlan.WeeklyQuota, Exact.RefreshPeriod);

        var result = await new Simulator(Exact).RunAsync(setup, Strategy.Scheduler);

        Assert.True(result.Completed);
        Assert.True(result.MaxWeekUse["ana"] <= TimeSpan.FromHours(20), $"ana used {result.MaxWeekUse["ana"]}");
        Assert.True(result.MaxWeekUse["ben"] <= TimeSpan.FromHours(5), $"ben used {result.MaxWeekUse["ben"]}");
        var bound = LowerBound.Compute(setup.Stages, setup.Accounts, Exact.Scheduler, Exact.RefreshPeriod);
        Assert.True(result.Makespan >= bound.Value);
    }

    [Fact]
    public async Task Round_robin_ignoring_quota_loses_work_where_the_scheduler_loses_none()
    {
        var naive = await Run(3, Strategy.RoundRobinIgnoringQuota);
        var scheduled = await Run(3);

        Assert.Contains(naive.Sessions, s => s.Reason == SessionEnd.QuotaExhausted);
        Assert.True(naive.Lost > TimeSpan.FromHours(1));
        Assert.DoesNotContain(scheduled.Sessions, s => s.Reason is SessionEnd.QuotaExhausted or SessionEnd.SessionLimit);
        Assert.True(scheduled.Lost <= TimeSpan.FromMinutes(4 * 4), $"the scheduler lost {scheduled.Lost}");
        Assert.True(naive.Makespan > scheduled.Makespan * 5);
    }

    [Fact]
    public async Task One_account_takes_three_quota_weeks_and_stays_near_its_bound()
    {
        var result = await Run(1);
        var setup = SeverstalPlan.Setup(1, Exact.RefreshPeriod);
        var bound = LowerBound.Compute(setup.Stages, setup.Accounts, Exact.Scheduler, Exact.RefreshPeriod).Value;

        Assert.InRange(result.Makespan!.Value, TimeSpan.FromDays(14), TimeSpan.FromDays(15));
        Assert.InRange(result.Makespan.Value / bound, 1.0, 1.05);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_run()
    {
        var options = Exact with { Jitter = 0.15, Seed = 11 };
        var first = await Run(3, options: options);
        var second = await Run(3, options: options);

        Assert.Equal(first.Sessions, second.Sessions);
    }
}
