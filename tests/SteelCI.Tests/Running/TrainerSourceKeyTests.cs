using Microsoft.Extensions.Time.Testing;
using SteelCI.Local;
using SteelCI.Running;
using SteelCI.Spec;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Tests.Running;

/// <summary>
/// Cheap ticks (issue 14 item 4): unpinned, a run whose trainer sources have the source key recorded with the last
/// publish keys its stages with that publish's hash and builds the trainer only when an attempt needs the bundle.
/// </summary>
public sealed class TrainerSourceKeyTests : IDisposable
{
    private const string Yaml = """
        version: 1
        name: pipe
        trainer: { project: t.csproj }
        stages:
          a1: { entry: fit, budget: { epochs: 3 } }
          final: { entry: combine, inputs: [a1] }
        """;

    private static readonly string OldHash = new('7', 64), NewHash = new('8', 64);
    private readonly TempDirectory _dir = new("sourcekey");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingReporter _reporter = new();
    private readonly FileStateStore _state;
    private readonly ScriptedBackend _backend;

    public TrainerSourceKeyTests()
    {
        _state = new FileStateStore(_dir.Combine("state"));
        _backend = new ScriptedBackend(_dir.Combine("attempts"));
    }

    public void Dispose() => _dir.Dispose();

    private Pipeline Pipeline() => PipelineResolver.Resolve(SpecLoader.Parse(Yaml, _dir.Combine("steelci.yml")),
        _dir.Combine("steelci.yml"), new PipelineOptions());

    private Task<RunSummary> TickAsync(RecordingPackager packager) =>
        new PipelineRunner(_backend, new LocalArtifactStore(_dir.Combine("releases"), _time), _state, packager, _reporter, _time,
            new RunnerOptions(TimeSpan.Zero, "0.1.0", "abc")).TickAsync(Pipeline(), new RunRequest(RetryFailed: false), default);

    /// <summary>A fresh runner's packager (nothing kept) whose sources have <paramref name="sourceKey"/> and build <paramref name="hash"/>.</summary>
    private RecordingPackager FreshPackager(string sourceKey, string hash) => new(_dir.Path, _backend) { SourceKey = sourceKey, TrainerHash = hash };

    [Fact]
    public async Task A_tick_with_unchanged_sources_and_nothing_to_start_does_not_build_the_trainer()
    {
        var first = FreshPackager("src-1", OldHash);
        await TickAsync(first); // starts a1; the scripted backend finishes it at the second poll
        Assert.Equal(1, first.Published);
        Assert.Equal(new TrainerBuild("src-1", OldHash), (await _state.LoadAsync(default))!.TrainerBuilt);
        var keys = (await _state.LoadAsync(default))!.Stages.ToDictionary(s => s.Key, s => s.Value.ContentKey);

        var polling = FreshPackager("src-1", OldHash);
        await TickAsync(polling); // a1 still running, final not ready: nothing starts

        Assert.Equal(0, polling.Published);
        var state = (await _state.LoadAsync(default))!;
        Assert.Equal(OldHash, state.TrainerHash);
        Assert.Equal(keys, state.Stages.ToDictionary(s => s.Key, s => s.Value.ContentKey));
        Assert.Contains(_reporter.Lines, l => l.Contains("Trainer sources unchanged since bundle 777777777777"));
    }

    [Fact]
    public async Task Every_tick_to_the_end_builds_the_trainer_exactly_when_it_starts_work()
    {
        var log = new List<(int Published, int Started)>();
        for (var tick = 0; tick < 10; tick++)
        {
            var packager = FreshPackager("src-1", OldHash); // each tick on a fresh runner: nothing kept
            var before = _backend.Submitted.Count;
            var summary = await TickAsync(packager);
            log.Add((packager.Published, _backend.Submitted.Count - before));
            if (summary.Stages.All(s => s.Status == StageStatus.Complete))
                break;
        }

        Assert.Equal(2, log.Sum(l => l.Started));
        Assert.True(log.Count >= 4, $"{log.Count} ticks");
        Assert.All(log, l => Assert.Equal(l.Started > 0 ? 1 : 0, l.Published));
    }

    [Fact]
    public async Task Changed_sources_publish_the_trainer_and_record_the_new_build()
    {
        await TickAsync(FreshPackager("src-1", OldHash));
        var changed = FreshPackager("src-2", NewHash);

        await TickAsync(changed);

        Assert.Equal(1, changed.Published);
        var state = (await _state.LoadAsync(default))!;
        Assert.Equal(new TrainerBuild("src-2", NewHash), state.TrainerBuilt);
        Assert.Equal(NewHash, state.TrainerHash);
        Assert.Contains(_reporter.Lines, l => l.Contains("trainer code changed"));
    }

    [Fact]
    public async Task A_build_that_disagrees_with_its_recorded_source_key_starts_nothing_and_the_next_tick_publishes()
    {
        await TickAsync(FreshPackager("src-1", OldHash));
        await TickAsync(FreshPackager("src-1", OldHash)); // a1 polled once
        var drifted = FreshPackager("src-1", NewHash); // same key, other bytes: the key missed an input of the build
        var submitted = _backend.Submitted.Count;

        var error = await Assert.ThrowsAsync<TrainerSourceKeyException>(() => TickAsync(drifted)); // a1 ends, final would start

        Assert.Contains($"built bundle {OldHash} before but {NewHash} now", error.Message);
        Assert.Equal(submitted, _backend.Submitted.Count);
        var state = (await _state.LoadAsync(default))!;
        Assert.Null(state.TrainerBuilt);
        Assert.Equal(StageStatus.Complete, state.Stages["a1"].Status);

        var next = FreshPackager("src-1", NewHash);
        await TickAsync(next);
        Assert.Equal(1, next.Published);
        Assert.Equal(new TrainerBuild("src-1", NewHash), (await _state.LoadAsync(default))!.TrainerBuilt);
    }
}
