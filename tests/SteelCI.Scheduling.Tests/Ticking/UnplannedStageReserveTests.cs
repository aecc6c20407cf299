using SteelCI.Ports;
using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Ticking;
using SteelCI.Spec;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Scheduling.Tests.Ticking;

/// <summary>
/// Stages the placer does not plan (CPU stages; a GPU stage always has minutes_per_epoch, 1 when the file gives none)
/// keep to the owners' reserves (issue 14 item 3), and a ready stage that gets no account is listed in
/// <see cref="ScheduledPlacementPolicy.Waiting"/> with why.
/// </summary>
public sealed class UnplannedStageReserveTests : IDisposable
{
    private const string Yaml = """
        version: 1
        name: reserve
        trainer: { project: t.csproj }
        session_minutes: 720
        datasets:
          data: { generate: { entry: synthesize } }
        stages:
          report: { entry: eda, inputs: [data], accelerator: cpu }
          probe: { entry: probe, inputs: [data], accelerator: gpu }
          train: { entry: train, inputs: [data], accelerator: gpu, resumable: true, budget: { epochs: 4, minutes_per_epoch: 30 } }
        """;

    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new("reserve");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_cpu_stage_goes_to_the_account_with_most_time_above_its_reserve_and_no_gpu_stage_goes_into_a_reserve()
    {
        // ana: 30 h left, reserve 29 h: 1 h to spend. bo: 20 h left, no reserve: 20 h. The most quota left is ana's.
        var policy = Policy(("ana", 30, 29), ("bo", 20, 0));

        var decisions = await policy.PlaceAsync(Request("probe", "report"), default);

        Assert.Equal("bo", Assert.Single(decisions, d => d.Stage == "probe").Account); // no budget: planned at 1 min an epoch
        Assert.Equal("bo", Assert.Single(decisions, d => d.Stage == "report").Account); // the CPU stage prefers time above a reserve too
        Assert.Empty(policy.Waiting);
    }

    [Fact]
    public async Task A_cpu_stage_is_not_sent_to_an_account_whose_sessions_unplanned_attempts_already_hold()
    {
        var policy = Policy(("ana", 30, 0), ("bo", 20, 0));
        var request = Request("report");
        // The dataset's generation (a CPU stage, outside the placer's ledger) still runs twice on ana.
        request.State.Stages["data"] = new StageState
        {
            ContentKey = new string('a', 64), Status = StageStatus.Running,
            Attempts = [Running("data-1", "ana"), Running("data-2", "ana")],
        };

        var decisions = await policy.PlaceAsync(request, default);

        Assert.Equal("bo", Assert.Single(decisions).Account);
    }

    private static AttemptRecord Running(string slug, string account) => new()
    {
        Slug = slug, Number = 1, Backend = "kaggle", Account = account, State = AttemptState.Running, StartedUtc = Now,
    };

    [Fact]
    public async Task With_no_account_above_its_reserve_gpu_stages_wait_and_say_why_while_a_cpu_stage_still_runs()
    {
        var policy = Policy(("ana", 10, 10), ("bo", 4, 6));

        var decisions = await policy.PlaceAsync(Request("probe", "train", "report"), default);

        var only = Assert.Single(decisions); // no GPU stage placed into a reserve
        Assert.Equal(("report", null), (only.Stage, only.Account)); // CPU sessions cost no GPU quota: the backend's choice
        Assert.Equal(["probe", "train"], policy.Waiting.Keys.Order());
        Assert.All(policy.Waiting.Values, why =>
        {
            Assert.StartsWith("no account has GPU quota above its owner's reserve (ana 0.0 h above its reserve", why);
            Assert.Contains("bo 0.0 h above its reserve", why);
            Assert.Contains("the quota refreshes", why);
        });
    }

    private ScheduledPlacementPolicy Policy(params (string Name, double LeftHours, double ReserveHours)[] accounts) =>
        new(new AccountPool(accounts.Select(a => new AccountSettings(a.Name, TimeSpan.FromHours(a.ReserveHours))).ToList(),
            new Quota(accounts.ToDictionary(a => a.Name, a => TimeSpan.FromHours(a.LeftHours)))), new Placer(new SchedulerOptions()));

    private PlacementRequest Request(params string[] ready)
    {
        var specPath = _dir.Combine("steelci.yml");
        var pipeline = PipelineResolver.Resolve(SpecLoader.Parse(Yaml, specPath), specPath, new PipelineOptions());
        var state = new RunState { Pipeline = "reserve", RunId = "r", StartedUtc = Now, UpdatedUtc = Now };
        state.Stages["data"] = new StageState { ContentKey = new string('a', 64), Status = StageStatus.Complete };
        foreach (var node in pipeline.Nodes.Where(n => n.Name != "data"))
            state.Stages[node.Name] = new StageState { ContentKey = new string('b', 64), Status = StageStatus.Pending };
        return new PlacementRequest(Now, pipeline, state, ready.Select(r => new PlacementCandidate(pipeline.Nodes.Single(n => n.Name == r), 0)).ToList(), 6);
    }

    private sealed class Quota(Dictionary<string, TimeSpan> left) : IQuotaSource
    {
        public Task<QuotaSnapshot> ReadAsync(string account, CancellationToken cancellationToken) =>
            Task.FromResult(new QuotaSnapshot(TimeSpan.FromHours(30), TimeSpan.FromHours(30) - left[account], TimeSpan.Zero, Now.AddDays(4)));
    }
}
