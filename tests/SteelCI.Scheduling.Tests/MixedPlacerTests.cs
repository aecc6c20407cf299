using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Tests;

/// <summary>
/// Placement across Kaggle accounts and a cluster (compute: any): the place where the stage is done soonest. Default
/// options: 5 min start-up, 12 h sessions less 5 min, epochs planned 5 % slower, the last chunk's deadline 25 % slack.
/// The cluster: 2 min grace, 5 min start-up.
/// </summary>
public sealed class MixedPlacerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly Placer Placer = new(new SchedulerOptions());
    private static readonly StageWork Seg = new("seg", 25, TimeSpan.FromMinutes(40), true, []) { Places = Places.Any };

    private static AccountCapacity Account(string name, double hours, int slots = 2) => new(name, slots, TimeSpan.FromHours(hours), Now.AddDays(7));

    private static ClusterCapacity Cluster(int free = 2, double limitHours = 24, double speed = 1) =>
        new(new ClusterSettings("cluster", 2, TimeSpan.FromHours(limitHours), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), speed), free);

    private static IReadOnlyList<Placement.Placement> Place(IEnumerable<StageWork> stages, IReadOnlyList<AccountCapacity> accounts, params ClusterCapacity[] clusters) =>
        Placer.Place(Now, stages.Select(s => new StageProgress(s, 0, false)).ToList(), accounts, null, clusters);

    [Fact]
    public void A_long_stage_goes_where_it_is_done_soonest_the_cluster_without_a_second_session()
    {
        // Kaggle: 16 epochs by the tick-aligned 703 min deadline, then 9 epochs in one more session (5 + 360 min) -> 1068 min.
        // Cluster (24 h): all 25 in one job, 5 + 1000 min = 1005 min; its deadline 5 + 1000 x 1.25 = 1255 min.
        var placement = Assert.Single(Place([Seg], [Account("alice", 30)], Cluster()));

        Assert.Equal(Places.Cluster, placement.Place);
        Assert.Equal("cluster", placement.Account);
        Assert.Equal(25, placement.Epochs);
        Assert.Equal(Now.AddMinutes(1255), placement.DeadlineUtc);
        Assert.Equal(Now.AddMinutes(1005), placement.StageFinishUtc);
        Assert.Equal(Now.AddMinutes(1068), Placer.KaggleFinish(Now, new StageProgress(Seg, 0, false), Seg.PerEpoch, (16, TimeSpan.FromMinutes(703)),
            TimeSpan.FromHours(30) - TimeSpan.FromMinutes(703), Now.AddDays(7)));
    }

    [Fact]
    public void A_stage_done_as_soon_on_kaggle_takes_the_free_hours()
    {
        // 3 x 40 min: 5 + 120 min on either place; the tie goes to Kaggle.
        var placement = Assert.Single(Place([Seg with { Name = "short", Epochs = 3 }], [Account("alice", 30)], Cluster()));

        Assert.Equal(Places.Kaggle, placement.Place);
        Assert.Equal("alice", placement.Account);
        Assert.Equal(Now.AddMinutes(125), placement.StageFinishUtc);
    }

    [Fact]
    public void The_cluster_takes_no_more_jobs_than_it_has_free_and_the_next_stage_goes_to_kaggle()
    {
        var placements = Place([Seg with { Name = "seg1" }, Seg with { Name = "seg2" }], [Account("alice", 30)], Cluster(free: 1));

        Assert.Equal([("seg1", Places.Cluster), ("seg2", Places.Kaggle)], placements.Select(p => (p.Stage, p.Place)));
    }

    [Fact]
    public void A_stage_that_names_kaggle_stays_there_however_soon_the_cluster_would_finish()
    {
        var placement = Assert.Single(Place([Seg with { Places = Places.Kaggle }], [Account("alice", 30)], Cluster(speed: 4)));

        Assert.Equal(Places.Kaggle, placement.Place);
    }

    [Fact]
    public void A_stage_longer_than_the_clusters_time_limit_runs_as_chained_jobs()
    {
        // 6 h limit: a job holds 360 - 2 - 5 = 353 min of training, 8 epochs at 42 min planned; its deadline is the whole
        // 358 min window. 25 epochs need ceil(25 / 8) = 4 jobs: 1000 + 4 x 5 = 1020 min. Kaggle has no hours left.
        var placement = Assert.Single(Place([Seg], [Account("alice", 0)], Cluster(limitHours: 6)));

        Assert.Equal(8, placement.Epochs);
        Assert.Equal(Now.AddMinutes(358), placement.DeadlineUtc);
        Assert.Equal(Now.AddMinutes(1020), placement.StageFinishUtc);
    }

    [Fact]
    public void A_stage_that_cannot_resume_is_not_sent_to_a_cluster_whose_jobs_are_too_short_for_it()
    {
        // 10 x 40 min = 400 min planned 420 > 353 min of a 6 h job; Kaggle has no hours: nothing starts.
        Assert.Empty(Place([Seg with { Epochs = 10, Resumable = false }], [Account("alice", 0)], Cluster(limitHours: 6)));
        // A 24 h job holds it whole.
        Assert.Equal(10, Assert.Single(Place([Seg with { Epochs = 10, Resumable = false }], [Account("alice", 0)], Cluster())).Epochs);
    }

    [Fact]
    public void A_faster_cluster_gpu_shortens_the_epochs_there()
    {
        // Speed 2: 20 min an epoch, 5 + 25 x 20 = 505 min.
        var placement = Assert.Single(Place([Seg], [Account("alice", 30)], Cluster(speed: 2)));

        Assert.Equal(Now.AddMinutes(505), placement.StageFinishUtc);
        Assert.Equal(Now.AddMinutes(505), placement.ExpectedEndUtc);
    }
}
