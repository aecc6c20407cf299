using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Simulation;

namespace SteelCI.Scheduling.Tests;

/// <summary>
/// The mixed-capacity bound (docs/scheduling.md) on hand-worked cases. All use a 6 min (0.1 h) start-up on Kaggle and on
/// the cluster, Kaggle's 12 h sessions (11.9 h of training each), one fresh account of 30 h a week with 2 sessions, and a
/// cluster grace of 12 min (0.2 h).
/// </summary>
public sealed class MixedLowerBoundTests
{
    private static readonly SchedulerOptions Options = new() { Startup = TimeSpan.FromMinutes(6) };
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<SimulatedAccountState> OneAccount =
        [new(AccountSettings.Default("a"), TimeSpan.FromHours(30), TimeSpan.Zero, Start + Week)];

    private static StageWork Stage(string name, double hours, params string[] after) =>
        new(name, 10, TimeSpan.FromHours(hours) / 10, true, after) { Places = Places.Any };

    private static ClusterSettings Cluster(int jobs, double limitHours, double speed = 1) =>
        new("c", jobs, TimeSpan.FromHours(limitHours), TimeSpan.FromMinutes(12), TimeSpan.FromMinutes(6), speed);

    [Fact]
    public void A_long_stage_on_a_24_hour_cluster_sets_the_critical_path()
    {
        // A 20 h, B 2 h, final F 1 h after both; one cluster job of 24 h (23.7 h of training).
        // (a) A: Kaggle 20 + 0.1 x ceil(20 / 11.9) = 20.2, cluster 20 + 0.1 x ceil(20 / 23.7) = 20.1 -> 20.1;
        //     F: 1.1 either way -> chain A, F = 21.2 h.
        // (b) work A 20 + 0.1 x ceil(20 / max(11.9, 23.7)) = 20.1, B 2.1 -> 22.2 h; capacity min(2t, 30) + 1t = 3t
        //     -> T = 7.4 h; 7.4 + 1.1 = 8.5 h. Bound: 21.2 h (Kaggle alone: 20.2 + 1.1 = 21.3 h).
        var bound = MixedLowerBound.Compute([Stage("A", 20), Stage("B", 2), Stage("F", 1, "A", "B")], OneAccount, [Cluster(1, 24)], Options, Week);

        Assert.Equal(["A", "F"], bound.CriticalChain);
        Assert.Equal(21.2, bound.CriticalPath.TotalHours, 6);
        Assert.Equal(22.2, bound.Work.TotalHours, 6);
        Assert.Equal(7.4, bound.CapacityTime.TotalHours, 3);
        Assert.Equal(8.5, bound.CapacityBound.TotalHours, 3);
        Assert.Equal(21.2, bound.Value.TotalHours, 6);
    }

    [Fact]
    public void When_the_accounts_quota_runs_out_the_cluster_alone_carries_the_rest()
    {
        // Six 10 h stages, final F 1 h after all; one account and a cluster of 2 jobs (24 h).
        // (a) 10 + 0.1 = 10.1 on either place, then F 1.1 -> 11.2 h.
        // (b) work 6 x 10.1 = 60.6 h. Up to 15 h the account gives 2t and the cluster 2t: 4 x 15 = 60 < 60.6, so past
        //     15 h the account is capped at 30 h: 30 + 2t = 60.6 -> T = 15.3 h; 15.3 + 1.1 = 16.4 h. Bound: 16.4 h.
        var stages = Enumerable.Range(1, 6).Select(i => Stage($"S{i}", 10)).ToList();
        stages.Add(Stage("F", 1, stages.Select(s => s.Name).ToArray()));

        var bound = MixedLowerBound.Compute(stages, OneAccount, [Cluster(2, 24)], Options, Week);

        Assert.Equal(11.2, bound.CriticalPath.TotalHours, 6);
        Assert.Equal(60.6, bound.Work.TotalHours, 6);
        Assert.Equal(15.3, bound.CapacityTime.TotalHours, 3);
        Assert.Equal(16.4, bound.Value.TotalHours, 3);
    }

    [Fact]
    public void A_faster_cluster_with_short_jobs_pays_more_start_ups_but_halves_the_hours()
    {
        // A 30 h, final F 1 h after it; one cluster job of 6 h at speed 2 (5.7 h of training a job = 11.4 Kaggle hours).
        // (a) A: Kaggle 30 + 0.1 x ceil(30 / 11.9) = 30.3; cluster 15 + 0.1 x ceil(15 / 5.7) = 15.3 -> 15.3;
        //     F: Kaggle 1.1, cluster 0.5 + 0.1 = 0.6 -> 0.6; chain 15.9 h.
        // (b) A's work 30 + min(0.1, 2 x 0.1) x ceil(30 / max(11.9, 11.4)) = 30.3; capacity 2t + 1 x 2 x t = 4t
        //     -> T = 7.575 h; 7.575 + 0.6 = 8.175 h. Bound: 15.9 h.
        var bound = MixedLowerBound.Compute([Stage("A", 30), Stage("F", 1, "A")], OneAccount, [Cluster(1, 6, speed: 2)], Options, Week);

        Assert.Equal(15.9, bound.CriticalPath.TotalHours, 6);
        Assert.Equal(0.6, bound.FinalCost.TotalHours, 6);
        Assert.Equal(30.3, bound.Work.TotalHours, 6);
        Assert.Equal(7.575, bound.CapacityTime.TotalHours, 3);
        Assert.Equal(8.175, bound.CapacityBound.TotalHours, 3);
        Assert.Equal(15.9, bound.Value.TotalHours, 6);
    }

    [Fact]
    public void A_stage_kept_on_kaggle_pays_kaggles_cost_even_beside_a_faster_cluster()
    {
        // As above but A may run on Kaggle only: A 30.3, F 0.6 -> 30.9 h.
        var bound = MixedLowerBound.Compute([Stage("A", 30) with { Places = Places.Kaggle }, Stage("F", 1, "A")], OneAccount,
            [Cluster(1, 6, speed: 2)], Options, Week);

        Assert.Equal(30.9, bound.CriticalPath.TotalHours, 6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Without_a_cluster_it_is_the_kaggle_bound(int accounts)
    {
        var setup = SeverstalPlan.Setup(accounts, Week);
        var kaggle = LowerBound.Compute(setup.Stages, setup.Accounts, new SchedulerOptions(), Week);

        var mixed = MixedLowerBound.Compute(setup.Stages, setup.Accounts, [], new SchedulerOptions(), Week);

        Assert.Equal(kaggle.CriticalPath, mixed.CriticalPath);
        Assert.Equal(kaggle.QuotaBound, mixed.CapacityBound);
        Assert.Equal(kaggle.Value, mixed.Value);
    }
}
