using SteelCI.Ports;
using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Ticking;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Scheduling.Tests.Ticking;

/// <summary>The tick's placement for compute: any stages: Kaggle accounts and the cluster of steelci.yml, by finish time.</summary>
public sealed class MixedPlacementPolicyTests
{
    private const string Yaml = """
        version: 1
        name: mixed
        trainer: { project: t.csproj }
        backend: kaggle
        session_minutes: 720
        compute:
          slurm: { rest_url: "http://cluster:6820", user: u, partition: gpu, shared_dir: /shared, time_limit_minutes: 1440, job_limit: 3 }
        datasets:
          data: { generate: { entry: make } }
        stages:
          seg1: { entry: segment, inputs: [data], accelerator: gpu, resumable: true, compute: any, budget: { epochs: 25, minutes_per_epoch: 40 } }
          seg2: { entry: segment, inputs: [data], accelerator: gpu, resumable: true, compute: any, budget: { epochs: 25, minutes_per_epoch: 40 } }
          short: { entry: fit, inputs: [data], accelerator: gpu, compute: any, budget: { epochs: 3, minutes_per_epoch: 40 } }
          pinned: { entry: segment, inputs: [data], accelerator: gpu, resumable: true, compute: kaggle, budget: { epochs: 25, minutes_per_epoch: 40 } }
        """;

    private static readonly DateTimeOffset Now = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Kaggle's GetAcceleratorQuotaStatistics for a fresh account: 30 h allowed, none used (docs/kaggle.md).</summary>
    private sealed class FreshQuota : IQuotaSource
    {
        public Task<QuotaSnapshot> ReadAsync(string account, CancellationToken cancellationToken) =>
            Task.FromResult(new QuotaSnapshot(TimeSpan.FromHours(30), TimeSpan.Zero, TimeSpan.Zero, Now.AddDays(7)));
    }

    [Fact]
    public async Task The_long_stage_goes_to_the_cluster_the_rest_to_kaggle_and_a_stage_that_names_kaggle_stays_there()
    {
        var pipeline = PipelineResolver.Resolve(SpecLoader.Parse(Yaml, "/w/steelci.yml"), "/w/steelci.yml", new PipelineOptions());
        var cluster = MixedPlacementPolicy.ClusterOf(pipeline.Compute.Slurm!);
        var policy = new MixedPlacementPolicy(
            new ScheduledPlacementPolicy(new AccountPool([AccountSettings.Default("alice"), AccountSettings.Default("bob")], new FreshQuota()),
                new Placer(new SchedulerOptions())),
            cluster, new Dictionary<string, int> { ["kaggle"] = 4, ["slurm"] = 3 });
        var ready = new[] { "seg1", "seg2", "short", "pinned" }.Select(n => new PlacementCandidate(pipeline.Node(n), 0)).ToList();

        var decisions = await policy.PlaceAsync(new PlacementRequest(Now, pipeline, new RunState { Pipeline = "mixed", RunId = "r" }, ready, 10), default);

        // A 24 h job gives up 2 min (Slurm's grace) + 15 min (the launcher's margin): 1418 min of training after the start-up.
        Assert.Equal(TimeSpan.FromMinutes(17), cluster.Grace);
        // seg1 and seg2: 5 + 1000 min in one job beats 703 + 365 min on Kaggle; the window 5 + 1000 x 1.25 = 1255 min, the
        // job's session 1255 + 15 (the launcher's margin) = 1270 min.
        foreach (var stage in new[] { "seg1", "seg2" })
        {
            var onCluster = Assert.Single(decisions, d => d.Stage == stage);
            Assert.Equal(("slurm", (string?)null, TimeSpan.FromMinutes(1270), (int?)25), (onCluster.Backend, onCluster.Account, onCluster.SessionLimit, onCluster.Epochs));
        }
        // pinned (compute: kaggle) is as long but stays on Kaggle though a third job was free; short (5 + 120 min on either)
        // takes Kaggle's free hours on the tie.
        Assert.Equal(4, decisions.Count);
        foreach (var stage in new[] { "pinned", "short" })
        {
            var onKaggle = Assert.Single(decisions, d => d.Stage == stage);
            Assert.Equal("kaggle", onKaggle.Backend);
            Assert.Contains(onKaggle.Account, new[] { "alice", "bob" });
        }
    }
}
