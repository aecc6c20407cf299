using Microsoft.Extensions.Time.Testing;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.Spec;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Tests.Running;

public sealed class PipelineRunnerTests : IDisposable
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
          c1: { entry: fit, inputs: [data] }
          final: { entry: combine, inputs: [a1, b1, c1, data], params: { k: "1" } }
        """;

    private readonly TempDirectory _dir = new("runner");
    private readonly ObservedTime _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly ScriptedBackend _backend;
    private readonly RecordingReporter _reporter = new();

    public PipelineRunnerTests() => _backend = new ScriptedBackend(_dir.Combine("attempts"));

    public void Dispose() => _dir.Dispose();

    private Pipeline Pipeline(string yaml = Yaml) => PipelineResolver.Resolve(SpecLoader.Parse(yaml, _dir.Combine("steelci.yml")),
        _dir.Combine("steelci.yml"), new PipelineOptions());

    /// <summary>A zero poll interval finishes a run without advancing the fake clock; tests that stop a run midway use one second.</summary>
    private PipelineRunner Runner(ScriptedBackend? backend = null, TimeSpan pollInterval = default)
    {
        backend ??= _backend;
        return new PipelineRunner(backend, new LocalArtifactStore(_dir.Combine("releases"), _time), new FileStateStore(_dir.Combine("state")),
            new RecordingPackager(_dir.Path, backend), _reporter, _time, new RunnerOptions(pollInterval, "0.1.0", "abc"));
    }

    private Task<RunState?> State() => new FileStateStore(_dir.Combine("state")).LoadAsync(default);

    [Fact]
    public async Task Every_stage_runs_after_its_inputs_within_the_slots_and_is_published()
    {
        var summary = await Runner().RunAsync(Pipeline(), new RunRequest(), default);

        Assert.True(summary.Succeeded);
        Assert.All(summary.Stages, s => Assert.Equal(StageStatus.Complete, s.Status));
        Assert.Equal(["data", "a1", "b1", "c1", "final"], _backend.Submitted.Select(p => _backend.Configs[p.Slug].Stage));
        Assert.Equal(2, _backend.MaxConcurrent);
        Assert.Equal(5, Directory.GetDirectories(_dir.Combine("releases")).Length);
        var final = _backend.Configs[_backend.Submitted[^1].Slug];
        Assert.Equal(["a1", "b1", "c1", "data"], final.Inputs.Select(i => i.Name));
        Assert.All(final.Inputs, i => Assert.StartsWith($"pipe-{i.Name}-", i.Source));
        Assert.Equal(0.5, summary.Stages.Single(s => s.Name == "final").MetricValue);
    }

    [Fact]
    public async Task A_second_run_reuses_every_release_and_a_changed_param_reruns_only_what_depends_on_it()
    {
        await Runner().RunAsync(Pipeline(), new RunRequest(), default);
        var again = new ScriptedBackend(_dir.Combine("attempts2"));

        var summary = await Runner(again).RunAsync(Pipeline(), new RunRequest(), default);
        Assert.All(summary.Stages, s => Assert.Equal(StageStatus.Reused, s.Status));
        Assert.Empty(again.Submitted);

        var changed = await Runner(again).RunAsync(Pipeline(Yaml.Replace("k: \"1\"", "k: \"2\"")), new RunRequest(), default);
        Assert.Equal(["final"], again.Submitted.Select(p => again.Configs[p.Slug].Stage));
        Assert.Equal(StageStatus.Complete, changed.Stages.Single(s => s.Name == "final").Status);
    }

    [Fact]
    public async Task Force_retrains_everything_even_with_releases_in_place()
    {
        await Runner().RunAsync(Pipeline(), new RunRequest(), default);
        var again = new ScriptedBackend(_dir.Combine("attempts2"));

        await Runner(again).RunAsync(Pipeline(), new RunRequest(Force: true), default);

        Assert.Equal(5, again.Submitted.Count);
        Assert.Equal(5, Directory.GetDirectories(_dir.Combine("releases")).Length);
    }

    [Fact]
    public async Task A_failing_stage_stops_with_its_log_and_blocks_only_what_needs_it()
    {
        _backend.Script = (config, _) => config.Stage == "b1" ? Outcome.Fail : Outcome.Complete;

        var summary = await Runner().RunAsync(Pipeline(), new RunRequest(), default);

        Assert.False(summary.Succeeded);
        var failed = summary.Stages.Single(s => s.Name == "b1");
        Assert.Equal(StageStatus.Failed, failed.Status);
        Assert.DoesNotContain("b1 failed", failed.Error); // the summary prints "b1 failed:" once, before the error
        Assert.Contains("ValueError in b1", failed.Error);
        Assert.Equal(FailureClass.Code, failed.Failure);
        Assert.Equal(StageStatus.Blocked, summary.Stages.Single(s => s.Name == "final").Status);
        Assert.Equal(FailureClass.Input, summary.Stages.Single(s => s.Name == "final").Failure);
        Assert.Equal(StageStatus.Complete, summary.Stages.Single(s => s.Name == "c1").Status);
        Assert.Single(_backend.Submitted, p => _backend.Configs[p.Slug].Stage == "b1"); // a deterministic failure is not retried
        Assert.DoesNotContain(Directory.GetDirectories(_dir.Combine("releases")), d => Path.GetFileName(d).StartsWith("pipe-b1-"));
    }

    [Fact]
    public async Task A_lost_attempt_is_started_again_and_too_many_losses_fail_the_stage()
    {
        _backend.Script = (config, attempt) => config.Stage == "a1" && attempt == 1 || config.Stage == "c1" ? Outcome.Lost : Outcome.Complete;

        var summary = await Runner().RunAsync(Pipeline(), new RunRequest(LostRetries: 2), default);

        Assert.Equal(StageStatus.Complete, summary.Stages.Single(s => s.Name == "a1").Status);
        Assert.Equal(2, _backend.Submitted.Count(p => _backend.Configs[p.Slug].Stage == "a1"));
        var c1 = summary.Stages.Single(s => s.Name == "c1");
        Assert.Equal(StageStatus.Failed, c1.Status);
        Assert.Contains("3 attempts were lost", c1.Error);
        Assert.Equal(FailureClass.Lost, c1.Failure);
        Assert.All((await State())!.Stages["c1"].Attempts, a => Assert.Equal(FailureClass.Lost, a.Failure));
        Assert.Null((await State())!.Stages["a1"].Failure);
    }

    [Fact]
    public async Task A_partial_stage_is_published_as_a_checkpoint_and_resumed_from_it()
    {
        _backend.Script = (config, attempt) => config.Stage == "a1" && attempt == 1 ? Outcome.Partial : Outcome.Complete;

        var summary = await Runner().RunAsync(Pipeline(), new RunRequest(), default);

        Assert.True(summary.Succeeded);
        var attempts = _backend.Submitted.Where(p => _backend.Configs[p.Slug].Stage == "a1").ToList();
        Assert.Equal(2, attempts.Count);
        var resumed = _backend.Configs[attempts[1].Slug];
        Assert.Equal("steelci-resume", resumed.ResumeFrom);
        var resumeInput = resumed.Inputs.Single(i => i.Name == "steelci-resume");
        Assert.EndsWith("-partial-e001", resumeInput.Source);
        Assert.Contains(attempts[1].Sources, s => s.Mount == "steelci-resume" && s.LocalPath.EndsWith(resumeInput.Source));
        Assert.True(Directory.Exists(_dir.Combine("releases", resumeInput.Source)));
        var state = await State();
        Assert.Equal(resumeInput.Source, state!.Stages["a1"].Attempts[1].ResumedFrom);
    }

    [Fact]
    public async Task An_output_that_does_not_match_its_manifest_is_refused_and_not_published()
    {
        _backend.Script = (config, _) => config.Stage == "c1" ? Outcome.BadManifest : Outcome.Complete;

        var summary = await Runner().RunAsync(Pipeline(), new RunRequest(), default);

        var c1 = summary.Stages.Single(s => s.Name == "c1");
        Assert.Equal(StageStatus.Failed, c1.Status);
        Assert.Contains("output refused", c1.Error);
        Assert.Equal(FailureClass.Output, c1.Failure);
        Assert.Contains("model.safetensors", c1.Error);
        Assert.DoesNotContain(Directory.GetDirectories(_dir.Combine("releases")), d => Path.GetFileName(d).StartsWith("pipe-c1-"));
    }

    [Fact]
    public async Task A_runner_killed_mid_run_is_succeeded_by_one_that_adopts_the_running_attempts()
    {
        var pipeline = Pipeline();
        using var cancel = new CancellationTokenSource();
        var slow = new ScriptedBackend(_dir.Combine("attempts"), pollsToFinish: 1000);
        var killed = Runner(slow, TimeSpan.FromSeconds(1)).RunAsync(pipeline, new RunRequest(), cancel.Token);
        // data, then a1 and b1 in the two slots, each with its handle saved (killed between a submit and that save, an
        // attempt is lost on a backend that cannot find it again, and started anew: another test's subject)
        while (slow.Submitted.Count < 3 || (await State())?.Stages is not { } stages
               || !new[] { "a1", "b1" }.All(n => stages.GetValueOrDefault(n)?.Attempts.Any(a => a.Handle is not null) == true))
        {
            // One second per poll the runner waits for, however slow this machine is: fake time never runs ahead of the
            // runner into its watchdog (12 h sessions), which would stop the attempts this test means to adopt.
            await _time.WhenArmedAsync();
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        await cancel.CancelAsync(); // as if the process died: nothing after this line of the runner runs
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => killed);

        var state = await State();
        Assert.Equal(StageStatus.Running, state!.Stages["a1"].Status);

        var successor = Runner(slow);
        var summary = await successor.RunAsync(pipeline, new RunRequest(), default);

        Assert.True(summary.Succeeded);
        Assert.Single(slow.Submitted, p => slow.Configs[p.Slug].Stage == "a1"); // adopted, not started again
        Assert.Single(slow.Submitted, p => slow.Configs[p.Slug].Stage == "b1");
    }

    [Fact]
    public async Task A_second_runner_of_the_same_pipeline_is_refused_while_the_first_runs()
    {
        var slow = new ScriptedBackend(_dir.Combine("attempts"), pollsToFinish: 3);
        await using (await new FileStateStore(_dir.Combine("state")).LockAsync(default))
            await Assert.ThrowsAsync<RunLockedException>(() => Runner(slow).RunAsync(Pipeline(), new RunRequest(), default));
        Assert.Empty(slow.Submitted);
    }

    [Fact]
    public async Task Ticks_advance_the_pipeline_one_step_at_a_time_and_leave_a_failure_alone()
    {
        _backend.Script = (config, _) => config.Stage == "b1" ? Outcome.Fail : Outcome.Complete;
        var tick = new RunRequest(RetryFailed: false);
        var ticks = 0;
        RunSummary summary;
        do
        {
            summary = await Runner().TickAsync(Pipeline(), tick, default);
            ticks++;
        } while (summary.Stages.Any(s => s.Status == StageStatus.Running) && ticks < 50);

        Assert.InRange(ticks, 4, 20); // polls take two ticks per attempt; nothing waited
        Assert.Equal(StageStatus.Failed, summary.Stages.Single(s => s.Name == "b1").Status);
        Assert.Equal(StageStatus.Blocked, summary.Stages.Single(s => s.Name == "final").Status);

        var later = await Runner().TickAsync(Pipeline(), tick, default);
        Assert.Equal(StageStatus.Failed, later.Stages.Single(s => s.Name == "b1").Status);
        Assert.Single(_backend.Submitted, p => _backend.Configs[p.Slug].Stage == "b1");
    }

    [Fact]
    public async Task A_stage_published_by_a_runner_that_died_before_saving_is_not_trained_again()
    {
        await Runner().RunAsync(Pipeline(), new RunRequest(), default);
        // As if the runner had died after publishing c1 and before recording it: the state still shows c1 running.
        var vanishing = new ScriptedBackend(_dir.Combine("attempts2")) { Script = (_, _) => Outcome.Lost };
        var orphan = await vanishing.SubmitAsync(new KernelPackage("pipe-c1-orphan", _dir.Path, "launcher.py", [], "cpu", TimeSpan.FromHours(1)), default);
        vanishing.Configs[orphan.Slug] = _backend.Configs[_backend.Submitted.Single(p => _backend.Configs[p.Slug].Stage == "c1").Slug];
        var stateStore = new FileStateStore(_dir.Combine("state"));
        var state = (await stateStore.LoadAsync(default))!;
        state.Stages["c1"] = new StageState
        {
            ContentKey = state.Stages["c1"].ContentKey, KeyParts = state.Stages["c1"].KeyParts, Status = StageStatus.Running,
            Attempts = state.Stages["c1"].Attempts,
        };
        state.Stages["c1"].Attempts.Add(new AttemptRecord
        {
            Slug = orphan.Slug, Number = 2, Backend = "scripted", State = AttemptState.Running,
            Handle = new Dictionary<string, string>(orphan.Data), StartedUtc = _time.GetUtcNow(),
        });
        await stateStore.SaveAsync(state, default);

        var summary = await Runner(vanishing).RunAsync(Pipeline(), new RunRequest(), default);

        Assert.True(summary.Succeeded);
        Assert.Single(vanishing.Submitted); // only the orphan registered above: c1 was taken from its release
        Assert.StartsWith("pipe-c1-", summary.Stages.Single(s => s.Name == "c1").Release);
    }
}
