using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Reporting;
using SteelCI.Scheduling.Simulation;

namespace SteelCI.Scheduling.Tests;

/// <summary>The Severstal plan on Kaggle accounts and a cluster together (every stage compute: any), on fake time.</summary>
public sealed class MixedSimulationTests
{
    private static readonly SimulationOptions Exact = new();

    [Theory]
    // 24 h jobs: no stage needs a second job.
    [InlineData(24)]
    // 6 h jobs: the 16.7 h segmentation stages run as chained jobs on the cluster.
    [InlineData(6)]
    public async Task Two_accounts_and_a_cluster_of_two_jobs_finish_near_the_mixed_bound(double limitHours)
    {
        var cluster = SeverstalPlan.Cluster(jobs: 2) with { TimeLimit = TimeSpan.FromHours(limitHours) };

        var row = await SimulationBench.RunMixedAsync(2, cluster, Exact);

        var result = row.Scheduler;
        Assert.True(result.Completed);
        Assert.Empty(result.Refusals);
        var onCluster = result.Sessions.Where(s => s.Account == "cluster").ToList();
        Assert.NotEmpty(onCluster);
        Assert.All(onCluster, s => Assert.True(s.Duration <= cluster.TimeLimit, $"{s.Stage} ran {s.Duration} on the cluster"));
        // Never more than job_limit jobs at once on the cluster.
        Assert.All(onCluster, s => Assert.True(onCluster.Count(o => o.Start < s.End && s.Start < o.End) <= 2));
        Assert.InRange(row.Ratio!.Value, 1.0, 1.10);
        // Far sooner than the same accounts alone (bound of 2 accounts: over a week).
        var kaggleOnly = LowerBound.Compute(SeverstalPlan.Stages(), SeverstalPlan.Setup(2, Exact.RefreshPeriod).Accounts, Exact.Scheduler, Exact.RefreshPeriod);
        Assert.True(result.Makespan < kaggleOnly.Value / 5);
        Assert.Contains($"| 2 Kaggle accounts + cluster (2 GPU jobs) | 1 | {Durations.Short(row.Bound.Value)} (", SimulationTable.FormatMixed([row]));
    }
}
