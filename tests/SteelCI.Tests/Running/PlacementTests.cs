using Microsoft.Extensions.Time.Testing;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.Spec;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Tests.Running;

/// <summary>The runner's placement hook (account and chunk per attempt) and its watchdog.</summary>
public sealed class PlacementTests : IDisposable
{
    private const string Yaml = """
        version: 1
        name: pipe
        trainer: { project: t.csproj }
        datasets:
          data: { generate: { entry: make } }
        stages:
          a1: { entry: fit, inputs: [data], resumable: true, budget: { epochs: 3 } }
          b1: { entry: fit, inputs: [data] }
        """;

    private readonly TempDirectory _dir = new("placement");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingReporter _reporter = new();

    public void Dispose() => _dir.Dispose();

    private Pipeline Pipeline() => PipelineResolver.Resolve(SpecLoader.Parse(Yaml, _dir.Combine("steelci.yml")),
        _dir.Combine("steelci.yml"), new PipelineOptions());

    private PipelineRunner Runner(ScriptedBackend backend, IPlacementPolicy? policy) =>
        new(backend, new LocalArtifactStore(_dir.Combine("releases"), _time), new FileStateStore(_dir.Combine("state")),
            new RecordingPackager(_dir.Path, backend), _reporter, _time, new RunnerOptions(TimeSpan.Zero, "0.1.0", "abc"), policy);

    /// <summary>Puts every ready stage on "alice" with a one-hour session, one at a time, and records what it was asked.</summary>
    private sealed class OneAtATime : IPlacementPolicy
    {
        public List<PlacementRequest> Requests { get; } = new();

        public Task<IReadOnlyList<PlacementDecision>> PlaceAsync(PlacementRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult<IReadOnlyList<PlacementDecision>>(request.Ready.Take(1)
                .Select(c => new PlacementDecision(c.Node.Name, "alice", TimeSpan.FromHours(1), 2)).ToList());
        }
    }

    [Fact]
    public async Task The_policy_chooses_what_starts_its_account_and_its_session_limit()
    {
        var backend = new ScriptedBackend(_dir.Combine("attempts"), slots: 4, pollsToFinish: 1);
        var policy = new OneAtATime();
        var runner = Runner(backend, policy);
        RunSummary summary;
        var ticks = 0;
        do
            summary = await runner.TickAsync(Pipeline(), new RunRequest(RetryFailed: false), default);
        while (!summary.Succeeded && ++ticks < 20);

        Assert.True(summary.Succeeded);
        Assert.All(backend.Submitted, p => Assert.Equal("alice", p.Account));
        Assert.All(backend.Submitted, p => Assert.Equal(TimeSpan.FromHours(1), p.SessionLimit));
        Assert.Equal(1, backend.MaxConcurrent); // one at a time, though the backend has 4 slots
        var state = await new FileStateStore(_dir.Combine("state")).LoadAsync(default);
        var attempt = state!.Stages["a1"].Attempts.Single();
        Assert.Equal("alice", attempt.Account);
        Assert.Equal(attempt.StartedUtc + TimeSpan.FromHours(1), attempt.DeadlineUtc);
        Assert.Equal(2, attempt.PlannedEpochs);
        Assert.Contains(policy.Requests, r => r.Ready.Select(c => c.Node.Name).SequenceEqual(["a1", "b1"]) && r.FreeSlots == 4);
    }

    [Fact]
    public async Task The_default_policy_keeps_whole_sessions_and_lets_the_backend_choose_the_account()
    {
        var backend = new ScriptedBackend(_dir.Combine("attempts"));
        var summary = await Runner(backend, null).RunAsync(Pipeline(), new RunRequest(), default);

        Assert.True(summary.Succeeded);
        Assert.All(backend.Submitted, p => Assert.Null(p.Account));
        Assert.All(backend.Submitted, p => Assert.Equal(TimeSpan.FromMinutes(Pipeline().SessionMinutes), p.SessionLimit));
        Assert.Equal(2, backend.MaxConcurrent);
    }

    [Fact]
    public async Task An_attempt_running_past_its_deadline_and_margin_is_stopped_counted_lost_and_its_chunk_redone()
    {
        var backend = new ScriptedBackend(_dir.Combine("attempts"), slots: 4, pollsToFinish: 1000);
        var runner = Runner(backend, new OneAtATime());
        var tick = new RunRequest(RetryFailed: false);
        await runner.TickAsync(Pipeline(), tick, default); // data starts
        _time.Advance(TimeSpan.FromMinutes(89)); // deadline 1 h + margin 30 min: not yet
        await runner.TickAsync(Pipeline(), tick, default);
        Assert.Empty(backend.Stopped);

        _time.Advance(TimeSpan.FromMinutes(2));
        var summary = await runner.TickAsync(Pipeline(), tick, default);

        var first = backend.Submitted[0].Slug;
        Assert.Equal([first], backend.Stopped);
        Assert.Equal(1, summary.WatchdogStops);
        Assert.Equal(TimeSpan.FromMinutes(91), summary.LostWork);
        Assert.Contains(_reporter.Lines, l => l == "data lost (stopped by the watchdog)");
        var state = await new FileStateStore(_dir.Combine("state")).LoadAsync(default);
        var lost = state!.Stages["data"].Attempts[0];
        Assert.Equal(AttemptState.Lost, lost.State);
        Assert.StartsWith("watchdog: still running 31 min past its deadline", lost.Error);
        Assert.Equal(2, backend.Submitted.Count); // the same chunk, started again in the same tick
        Assert.Equal(StageStatus.Running, state.Stages["data"].Status);
    }
}
