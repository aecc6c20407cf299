using SteelCI.Kaggle.Backend;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Kaggle.Tests;

/// <summary>
/// Issue 11: the real backend's attempt recovery. A tick "killed" between SaveKernel and saving the handle (the state
/// store dies at that save) leaves an attempt recorded without a handle; the next tick, a fresh runner and backend
/// against the same fake, finds the kernel by its slug and adopts it instead of pushing again.
/// </summary>
public sealed class RecoveryTests
{
    private const string Yaml = """
        version: 1
        name: recover
        trainer: { project: t.csproj }
        session_minutes: 60
        stages:
          train: { entry: train, accelerator: gpu, budget: { epochs: 2, minutes_per_epoch: 5 } }
        """;

    private sealed class SimulatedCrash(string site) : Exception($"simulated crash at {site}");

    /// <summary>Dies at the first save that holds a backend handle (AttemptStarter's save after SubmitAsync), before writing.</summary>
    private sealed class CrashAfterSubmitStore(IStateStore inner) : IStateStore
    {
        public bool Crashed { get; private set; }
        public Task<IAsyncDisposable> LockAsync(CancellationToken cancellationToken) => inner.LockAsync(cancellationToken);
        public Task<RunState?> LoadAsync(CancellationToken cancellationToken) => inner.LoadAsync(cancellationToken);

        public Task SaveAsync(RunState state, CancellationToken cancellationToken)
        {
            if (!Crashed && state.Stages.Values.SelectMany(s => s.Attempts).Any(a => a.Handle is not null))
            {
                Crashed = true;
                throw new SimulatedCrash("the save after SubmitAsync");
            }
            return inner.SaveAsync(state, cancellationToken);
        }
    }

    /// <summary>The real packager (launcher, metadata) with a trainer bundle made beforehand instead of dotnet publish.</summary>
    private sealed class PrebuiltTrainer(KernelPackager packager, TrainerBundle bundle) : IKernelPackager
    {
        public Task<TrainerBundle> PrepareTrainerAsync(Pipeline pipeline, CancellationToken cancellationToken) => Task.FromResult(bundle);

        public KernelPackage Package(string slug, SteelCI.Contracts.StageConfig config, TrainerBundle trainer, IReadOnlyList<KernelSource> sources,
            string accelerator, TimeSpan sessionLimit) => packager.Package(slug, config, trainer, sources, accelerator, sessionLimit);
    }

    private sealed class Silent : IRunReporter
    {
        public void Info(string message) { }
        public void StageReused(string stage, string tag) { }
        public void AttemptStarted(string stage, AttemptRecord attempt) { }
        public void AttemptFinished(string stage, AttemptRecord attempt, string outcome) { }
        public void StageFinished(string stage, StageState state) { }
    }

    private sealed record Setup(Pipeline Pipeline, IKernelPackager Packager, FileStateStore Files, LocalArtifactStore Releases,
        RunnerOptions Options, Func<KaggleBackend> Backend)
    {
        public Task<RunSummary> TickAsync(Harness h, IStateStore? store = null) => h.Drive(
            new PipelineRunner(Backend(), Releases, store ?? Files, Packager, new Silent(), h.Time, Options)
                .TickAsync(Pipeline, new RunRequest(RetryFailed: false), default));
    }

    private static Setup Prepare(Harness h, string yaml = Yaml)
    {
        var ws = h.Workspace;
        var specPath = Path.Combine(ws, "steelci.yml");
        File.WriteAllText(specPath, yaml);
        var pipeline = PipelineResolver.Resolve(SpecLoader.Parse(yaml, specPath), specPath, new PipelineOptions(Backend: "kaggle"));
        var (bundleDir, _) = BackendTests.Sources(ws);
        var packager = new PrebuiltTrainer(new KernelPackager(new TrainerPublisher(new SystemProcessRunner(), ws), ws),
            new TrainerBundle(bundleDir, new string('d', 64)));
        return new Setup(pipeline, packager, new FileStateStore(Path.Combine(ws, "state")), new LocalArtifactStore(Path.Combine(ws, "releases"), h.Time),
            new RunnerOptions(TimeSpan.Zero, "0.1.0", null),
            () => new KaggleBackend([h.Alice(), h.Bob()], new KaggleBackendOptions
            {
                Workspace = Path.Combine(ws, "kaggle-ws"),
                DatasetPollInterval = TimeSpan.FromSeconds(5),
                PushCheckInterval = TimeSpan.FromSeconds(5),
                NotVisibleGrace = TimeSpan.FromMinutes(5),
            }, h.Time, h.Log));
    }

    [Fact]
    public async Task A_tick_killed_between_the_push_and_the_state_save_is_adopted_by_the_next_tick_with_exactly_one_kernel_version()
    {
        await using var h = await Harness.StartAsync(o => o with { NotVisibleFor = TimeSpan.FromSeconds(30) });
        var setup = Prepare(h);
        var files = setup.Files;

        // Tick 1: pushes the attempt's kernel, then dies at the save that would record its handle.
        var crashing = new CrashAfterSubmitStore(files);
        await Assert.ThrowsAsync<SimulatedCrash>(() => setup.TickAsync(h, crashing));
        Assert.True(crashing.Crashed);
        var recorded = (await files.LoadAsync(default))!.Stages["train"].Attempts.Single();
        Assert.Null(recorded.Handle); // the state knows the slug, not the kernel
        var kernels = h.Server.State.KernelRefs("alice").Concat(h.Server.State.KernelRefs("bob")).ToList();
        Assert.Equal([$"alice/{recorded.Slug}"], kernels);

        // Tick 2: a fresh process (new backend, new clients) over the durable state adopts the running kernel.
        await setup.TickAsync(h);
        var attempt = (await files.LoadAsync(default))!.Stages["train"].Attempts.Single();
        Assert.Equal(recorded.Slug, attempt.Slug);
        Assert.True(attempt.IsActive, $"{attempt.State}: {attempt.Error}");
        Assert.Equal("alice", attempt.Account);
        Assert.Equal("alice", attempt.Handle!["owner"]);
        Assert.Equal(recorded.Slug, attempt.Handle["kernel"]);
        Assert.Equal("1", attempt.Handle["version"]);
        Assert.Equal(1, h.Server.State.Calls("SaveKernel"));
        Assert.Equal(1, h.Server.State.VersionCount("alice", recorded.Slug));
        Assert.Contains(h.Log.Lines, l => l.Contains($"adopted alice/{recorded.Slug} version 1"));

        // Tick 3, later: still that one kernel and version, polled under the adopted handle.
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await setup.TickAsync(h);
        Assert.Equal(1, h.Server.State.Calls("SaveKernel"));
        Assert.Single((await files.LoadAsync(default))!.Stages["train"].Attempts);
    }

    [Fact]
    public async Task A_state_lost_altogether_is_rebuilt_by_adopting_the_kernel_still_running_on_the_account()
    {
        await using var h = await Harness.StartAsync();
        var setup = Prepare(h);
        await setup.TickAsync(h);
        var pushed = (await setup.Files.LoadAsync(default))!.Stages["train"].Attempts.Single();
        h.Time.Advance(TimeSpan.FromSeconds(10)); // running now
        File.Delete(Path.Combine(h.Workspace, "state", "state.json")); // the state is gone

        await setup.TickAsync(h);

        var adopted = (await setup.Files.LoadAsync(default))!.Stages["train"].Attempts.Single();
        Assert.Equal(pushed.Slug, adopted.Slug);
        Assert.True(adopted.IsActive, $"{adopted.State}: {adopted.Error}");
        Assert.Equal(pushed.Handle!["owner"], adopted.Handle!["owner"]);
        Assert.Equal(pushed.Number, adopted.Number);
        Assert.NotNull(adopted.DeadlineUtc);
        Assert.Equal(1, h.Server.State.Calls("SaveKernel"));
        Assert.Contains(h.Log.Lines, l => l.Contains($"adopted alice/{pushed.Slug} version 1 (Running; the state that knew it was lost)"));
    }

    [Fact]
    public async Task A_competition_whose_rules_the_account_has_not_accepted_fails_the_stage_with_the_rules_url_and_nothing_runs()
    {
        // kaggle-api.md §8 "invalid*Sources": the version would run without the competition's data.
        const string yaml = """
            version: 1
            name: recover
            trainer: { project: t.csproj }
            session_minutes: 60
            datasets:
              severstal: { competition: severstal-steel-defect-detection }
            stages:
              train: { entry: train, inputs: [severstal], accelerator: gpu, budget: { epochs: 2, minutes_per_epoch: 5 } }
            """;
        await using var h = await Harness.StartAsync();
        var setup = Prepare(h, yaml);

        await setup.TickAsync(h); // pushes, reads the invalid competition source, deletes the kernel
        await setup.TickAsync(h); // finishes the attempt as failed

        var stage = (await setup.Files.LoadAsync(default))!.Stages["train"];
        var attempt = stage.Attempts.Single();
        Assert.Equal(StageStatus.Failed, stage.Status);
        Assert.Equal(AttemptState.Error, attempt.State);
        Assert.Contains("competition severstal-steel-defect-detection: accept the competition's rules at " +
            "https://www.kaggle.com/competitions/severstal-steel-defect-detection/rules", attempt.Error);
        Assert.Contains("deleted again", attempt.Error);
        Assert.Empty(h.Server.State.KernelRefs("alice").Concat(h.Server.State.KernelRefs("bob")));
        Assert.Equal(1, h.Server.State.Calls("SaveKernel"));
    }

    [Fact]
    public void Slugs_are_recognised_as_a_stages_attempts_only_for_that_pipeline_stage_and_key()
    {
        var key = new string('e', 64);
        var slug = SteelCI.Contracts.KernelSlug.Create("recover", "train", key, 3, "0a1b2");
        Assert.Equal(3, SteelCI.Contracts.KernelSlug.AttemptOf(slug, "recover", "train", key));
        Assert.Null(SteelCI.Contracts.KernelSlug.AttemptOf(slug, "recover", "other", key));
        Assert.Null(SteelCI.Contracts.KernelSlug.AttemptOf(slug, "recover", "train", new string('f', 64)));
        Assert.Null(SteelCI.Contracts.KernelSlug.AttemptOf("steelci-probe-20261130-184005-4e20", "recover", "train", key));
        var longSlug = SteelCI.Contracts.KernelSlug.Create("a-very-long-pipeline-name", "a-very-long-stage-name", key, 12, "abcde");
        Assert.Equal(12, SteelCI.Contracts.KernelSlug.AttemptOf(longSlug, "a-very-long-pipeline-name", "a-very-long-stage-name", key));
    }

    [Fact]
    public async Task A_slug_that_was_never_pushed_is_not_found_on_any_account()
    {
        await using var h = await Harness.StartAsync();
        var backend = new KaggleBackend([h.Alice(), h.Bob()], new KaggleBackendOptions
        {
            Workspace = h.Workspace,
            PushCheckInterval = TimeSpan.FromSeconds(5),
        }, h.Time, h.Log);
        Assert.Null(await h.Drive(backend.FindAsync("recover-train-aaaaaaaa-a1-00000", null, CancellationToken.None)));
        Assert.Equal(0, h.Server.State.Calls("SaveKernel"));
        Assert.Contains(h.Log.Lines, l => l.Contains("recover-train-aaaaaaaa-a1-00000: no kernel of that slug on any account"));
    }
}
