using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Simulation;

namespace SteelCI.Scheduling.Tests;

/// <summary>The bound's terms for the Severstal plan, worked out by hand from the formula.</summary>
public sealed class LowerBoundTests
{
    private static LowerBound For(int accounts)
    {
        var setup = SeverstalPlan.Setup(accounts, TimeSpan.FromDays(7));
        return LowerBound.Compute(setup.Stages, setup.Accounts, new SchedulerOptions(), TimeSpan.FromDays(7));
    }

    [Fact]
    public void The_critical_path_is_the_longest_stage_in_two_sessions_then_the_final_stage()
    {
        var bound = For(3);

        // 25 x 40 min = 16 h 40 min in ceil(16.67 / 11.92) = 2 sessions of 5 min start-up, then 30 + 5 min.
        Assert.Equal(2, bound.LongestStageSessions);
        Assert.Equal(TimeSpan.FromMinutes(1000 + 10 + 35), bound.CriticalPath);
        // 3.2 + 1.6 + 4 x 16.67 h plus 10 start-ups of 5 min.
        Assert.Equal(10, bound.WorkSessions);
        Assert.Equal(72.30, Math.Round(bound.Work.TotalHours, 2));
    }

    [Theory]
    // 1 account: 30 h in each of weeks 1 and 2, then 12.3 h at 2 sessions -> 14 d 6.15 h.
    [InlineData(1, 14 * 24 + 6.15)]
    // 2 accounts: 60 h in week 1, then 12.3 h at 4 sessions -> 7 d 3.075 h.
    [InlineData(2, 7 * 24 + 3.075)]
    // 3 accounts: 72.3 h at 6 sessions -> 12.05 h, within every account's 30 h.
    [InlineData(3, 12.05)]
    [InlineData(6, 72.3 / 12)]
    public void The_quota_term_is_the_earliest_time_the_accounts_could_spend_the_work(int accounts, double hours)
    {
        var bound = For(accounts);

        Assert.Equal(hours, bound.QuotaTime.TotalHours, 0.01);
        Assert.Equal(bound.QuotaTime + TimeSpan.FromMinutes(35), bound.QuotaBound);
        Assert.Equal(bound.CriticalPath > bound.QuotaBound ? bound.CriticalPath : bound.QuotaBound, bound.Value);
    }
}
