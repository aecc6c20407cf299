using Microsoft.Extensions.Time.Testing;
using SteelCI.Local;
using SteelCI.Running;
using SteelCI.Spec;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Tests.Running;

/// <summary>
/// No silent retraining (issue 14 item 5): what went into each key is recorded, a changed key is explained part by
/// part before anything starts, and a pinned trainer bundle keeps a running pipeline's keys whatever the code does.
/// </summary>
public sealed class TrainerPinTests : IDisposable
{
    private const string Yaml = """
        version: 1
        name: pipe
        trainer: { project: t.csproj }
        datasets:
          data: { generate: { entry: make } }
        stages:
          a1: { entry: fit, inputs: [data], budget: { epochs: 3 } }
          final: { entry: combine, inputs: [a1, data], params: { k: "1" } }
        """;

    private static readonly string OldHash = new('7', 64), NewHash = new('8', 64);
    private readonly TempDirectory _dir = new("pin");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingReporter _reporter = new();
    private readonly FileStateStore _state;

    public TrainerPinTests() => _state = new FileStateStore(_dir.Combine("state"));

    public void Dispose() => _dir.Dispose();

    private Pipeline Pipeline(string yaml = Yaml) => PipelineResolver.Resolve(SpecLoader.Parse(yaml, _dir.Combine("steelci.yml")),
        _dir.Combine("steelci.yml"), new PipelineOptions());

    private PipelineRunner Runner(ScriptedBackend backend, RecordingPackager packager) =>
        new(backend, new LocalArtifactStore(_dir.Combine("releases"), _time), _state, packager, _reporter, _time, new RunnerOptions(TimeSpan.Zero, "0.1.0", "abc"));

    /// <summary>Runs the pipeline to the end with the old trainer; returns a packager whose trainer now builds to the new hash.</summary>
    private async Task<RecordingPackager> FinishedWithOldTrainerAsync(ScriptedBackend backend)
    {
        var packager = new RecordingPackager(_dir.Path, backend) { TrainerHash = OldHash };
        Assert.True((await Runner(backend, packager).RunAsync(Pipeline(), new RunRequest(), default)).Succeeded);
        packager.TrainerHash = NewHash; // a commit changed code that goes into the bundle
        return packager;
    }

    private async Task PinAsync(string hash)
    {
        var state = (await _state.LoadAsync(default))!;
        state.TrainerPin = hash;
        await _state.SaveAsync(state, default);
    }

    [Fact]
    public async Task The_state_records_the_parts_of_each_key_and_the_bundle_used()
    {
        await FinishedWithOldTrainerAsync(new ScriptedBackend(_dir.Combine("attempts")));

        var state = (await _state.LoadAsync(default))!;
        Assert.Equal(OldHash, state.TrainerHash);
        var final = state.Stages["final"].KeyParts!;
        Assert.Equal((OldHash, "combine", 1), (final.Trainer, final.Entry, final.Epochs));
        Assert.Equal("1", final.Params["k"]);
        Assert.Equal(["a1", "data"], final.Inputs.Keys.Order());
        Assert.Equal(state.Stages["a1"].ContentKey, final.Inputs["a1"]);
    }

    [Fact]
    public async Task Unpinned_a_trainer_change_is_listed_for_every_finished_stage_before_a_tick_starts_anything()
    {
        var backend = new ScriptedBackend(_dir.Combine("attempts"));
        await FinishedWithOldTrainerAsync(backend);
        var state = await _state.LoadAsync(default);

        var rekeyed = Rekeying.Explain(Pipeline(), state, NewHash);

        Assert.Equal(["data", "a1", "final"], rekeyed.Select(r => r.Stage));
        Assert.Equal("data: would retrain — trainer code changed (bundle 77777777… → 88888888…)", rekeyed[0].Line());
        Assert.Equal("a1: would retrain — trainer code changed (bundle 77777777… → 88888888…); upstream release changed (data)", rekeyed[1].Line());
        Assert.Equal(3, backend.Submitted.Count); // explaining spent nothing
    }

    [Fact]
    public async Task Params_epochs_and_upstream_changes_are_named_and_the_tick_reports_them_as_it_retrains()
    {
        var backend = new ScriptedBackend(_dir.Combine("attempts"));
        var packager = await FinishedWithOldTrainerAsync(backend);
        packager.TrainerHash = OldHash;
        var edited = Pipeline(Yaml.Replace("epochs: 3", "epochs: 4").Replace("k: \"1\"", "k: \"2\""));

        var rekeyed = Rekeying.Explain(edited, await _state.LoadAsync(default), OldHash);

        Assert.Equal(["a1: would retrain — params changed (epochs 3 → 4)",
            "final: would retrain — params changed (k 1 → 2); upstream release changed (a1)"], rekeyed.Select(r => r.Line()));
        await Runner(backend, packager).TickAsync(edited, new RunRequest(RetryFailed: false), default);
        Assert.Contains("a1: retraining — params changed (epochs 3 → 4)", _reporter.Lines);
    }

    [Fact]
    public async Task Pinned_a_trainer_change_rekeys_nothing_and_builds_nothing()
    {
        var backend = new ScriptedBackend(_dir.Combine("attempts"));
        var packager = await FinishedWithOldTrainerAsync(backend);
        await PinAsync(OldHash);
        var published = packager.Published;

        var summary = await Runner(backend, packager).TickAsync(Pipeline(), new RunRequest(RetryFailed: false), default);

        Assert.All(summary.Stages, s => Assert.Equal(StageStatus.Reused, s.Status));
        Assert.Equal(3, backend.Submitted.Count);
        Assert.Equal(published, packager.Published); // a no-op tick with a pin does not publish the trainer
        Assert.Empty(Rekeying.Explain(Pipeline(), await _state.LoadAsync(default), OldHash));
        Assert.DoesNotContain(_reporter.Lines, l => l.Contains("retraining"));
    }

    [Fact]
    public async Task Pinned_new_work_starts_from_the_pinned_bundle()
    {
        var backend = new ScriptedBackend(_dir.Combine("attempts"));
        var packager = await FinishedWithOldTrainerAsync(backend);
        await PinAsync(OldHash);

        await Runner(backend, packager).RunAsync(Pipeline(Yaml.Replace("k: \"1\"", "k: \"2\"")), new RunRequest(), default);

        var final = backend.Configs[backend.Submitted[^1].Slug];
        Assert.Equal(("final", OldHash), (final.Stage, final.TrainerHash));
        Assert.Equal(4, backend.Submitted.Count);
    }

    [Fact]
    public async Task A_pinned_bundle_that_cannot_be_found_fails_naming_the_hash_and_the_unpin_command_and_starts_nothing()
    {
        var backend = new ScriptedBackend(_dir.Combine("attempts"));
        var packager = await FinishedWithOldTrainerAsync(backend);
        await PinAsync(OldHash);
        packager.Kept.Clear(); // a fresh clone: no bundle kept, and the trainer now builds to another hash

        var error = await Assert.ThrowsAsync<TrainerPinException>(() =>
            Runner(backend, packager).TickAsync(Pipeline(Yaml.Replace("k: \"1\"", "k: \"2\"")), new RunRequest(RetryFailed: false), default));

        Assert.Contains($"pinned at {OldHash}", error.Message);
        Assert.Contains("builds to " + NewHash, error.Message);
        Assert.Contains("steelci unpin", error.Message);
        Assert.Equal(3, backend.Submitted.Count);
    }
}
