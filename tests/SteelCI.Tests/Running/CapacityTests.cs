using Microsoft.Extensions.Time.Testing;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.Spec;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Tests.Running;

/// <summary>
/// A submission refused for want of room (<see cref="ICapacityRefusal"/>: Kaggle's session cap while the account's owner
/// uses its sessions) is capacity: the attempt is withdrawn, the stage waits, a later step pushes it; never a failure.
/// </summary>
public sealed class CapacityTests : IDisposable
{
    private const string Yaml = """
        version: 1
        name: pipe
        trainer: { project: t.csproj }
        stages:
          a1: { entry: fit }
        """;

    private readonly TempDirectory _dir = new("capacity");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingReporter _reporter = new();

    public void Dispose() => _dir.Dispose();

    private sealed class OwnerIsBusy(string message) : Exception(message), ICapacityRefusal
    {
        public IReadOnlyDictionary<string, int> OwnerSessions { get; } = new Dictionary<string, int> { ["alice"] = 2 };
    }

    /// <summary>The scripted backend behind an account whose owner holds both sessions for the first <paramref name="refusals"/> pushes.</summary>
    private sealed class Full(ScriptedBackend inner, int refusals) : IComputeBackend
    {
        public int Refused { get; private set; }
        public string Name => inner.Name;
        public int Slots => inner.Slots;

        public async Task<AttemptHandle> SubmitAsync(KernelPackage package, CancellationToken cancellationToken)
        {
            if (Refused++ < refusals)
                throw new OwnerIsBusy("Maximum batch GPU session count of 2 reached.");
            var handle = await inner.SubmitAsync(package, cancellationToken);
            return handle with { Data = new Dictionary<string, string>(handle.Data) { ["account"] = "alice" } };
        }

        public Task<AttemptStatus> PollAsync(AttemptHandle handle, CancellationToken cancellationToken) => inner.PollAsync(handle, cancellationToken);
        public Task<CollectedOutput> CollectAsync(AttemptHandle handle, CancellationToken cancellationToken) => inner.CollectAsync(handle, cancellationToken);
        public Task StopAsync(AttemptHandle handle, CancellationToken cancellationToken) => inner.StopAsync(handle, cancellationToken);
    }

    private (PipelineRunner Runner, Full Backend, FileStateStore State, Pipeline Pipeline) Setup(int refusals, TimeSpan poll)
    {
        var scripted = new ScriptedBackend(_dir.Combine("attempts"), slots: 2, pollsToFinish: 1);
        var backend = new Full(scripted, refusals);
        var state = new FileStateStore(_dir.Combine("state"));
        var runner = new PipelineRunner(backend, new LocalArtifactStore(_dir.Combine("releases"), _time), state,
            new RecordingPackager(_dir.Path, scripted), _reporter, _time, new RunnerOptions(poll, "0.1.0", "abc"));
        var pipeline = PipelineResolver.Resolve(SpecLoader.Parse(Yaml, _dir.Combine("steelci.yml")), _dir.Combine("steelci.yml"), new PipelineOptions());
        return (runner, backend, state, pipeline);
    }

    [Fact]
    public async Task A_tick_refused_for_the_owners_sessions_leaves_the_stage_waiting_and_a_later_tick_pushes_it()
    {
        var (runner, backend, store, pipeline) = Setup(refusals: 3, TimeSpan.Zero);

        for (var tick = 1; tick <= 3; tick++)
        {
            var summary = await runner.TickAsync(pipeline, new RunRequest(RetryFailed: false), default);
            var state = (await store.LoadAsync(default))!;
            Assert.Equal(StageStatus.Pending, state.Stages["a1"].Status);
            Assert.Empty(state.Stages["a1"].Attempts); // withdrawn: no lost attempt, nothing counted against retries
            Assert.Equal(2, state.OwnerSessions["alice"].Sessions);
            Assert.Equal(_time.GetUtcNow(), state.OwnerSessions["alice"].SeenUtc);
            Assert.DoesNotContain(summary.Stages, s => s.Status is StageStatus.Failed or StageStatus.Blocked);
            _time.Advance(TimeSpan.FromMinutes(15));
        }
        Assert.Contains(_reporter.Lines, l => l.Contains("a1: not started, no room now (Maximum batch GPU session count of 2 reached.)"));

        RunSummary last;
        var ticks = 0;
        do
            last = await runner.TickAsync(pipeline, new RunRequest(RetryFailed: false), default);
        while (!last.Succeeded && ++ticks < 5);

        Assert.True(last.Succeeded);
        var final = (await store.LoadAsync(default))!;
        Assert.Equal(1, final.Stages["a1"].Attempts.Single().Number);
        Assert.Empty(final.OwnerSessions); // the accepted push clears what was seen of the owner
        Assert.Equal(4, backend.Refused); // three refusals, then the push that was accepted
    }

    [Fact]
    public async Task Run_waits_a_poll_interval_and_pushes_again_instead_of_failing()
    {
        var (runner, backend, _, pipeline) = Setup(refusals: 2, TimeSpan.FromSeconds(30));

        var running = runner.RunAsync(pipeline, new RunRequest(), default);
        while (!running.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(1)); // fake time: the run's waits pass without a wall-clock sleep
            await Task.Yield();
        }

        Assert.True((await running).Succeeded);
        Assert.Equal(3, backend.Refused); // two refusals, then the push that was accepted
    }
}
