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

    [Fact]
    public async Task A_tick_killed_between_the_push_and_the_state_save_is_adopted_by_the_next_tick_with_exactly_one_kernel_version()
    {
        await using var h = await Harness.StartAsync(o => o with { NotVisibleFor = TimeSpan.FromSeconds(30) });
        var ws = h.Workspace;
        var specPath = Path.Combine(ws, "steelci.yml");
        File.WriteAllText(specPath, Yaml);
        var pipeline = PipelineResolver.Resolve(SpecLoader.Parse(Yaml, specPath), specPath, new PipelineOptions());
        var (bundleDir, _) = BackendTests.Sources(ws);
        var packager = new PrebuiltTrainer(new KernelPackager(new TrainerPublisher(new SystemProcessRunner(), ws), ws),
            new TrainerBundle(bundleDir, new string('d', 64)));
        var files = new FileStateStore(Path.Combine(ws, "state"));
        var releases = new LocalArtifactStore(Path.Combine(ws, "releases"));
        var options = new RunnerOptions(TimeSpan.Zero, "0.1.0", null);
        KaggleBackend Backend() => new([h.Alice(), h.Bob()], new KaggleBackendOptions
        {
            Workspace = Path.Combine(ws, "kaggle-ws"),
            DatasetPollInterval = TimeSpan.FromSeconds(5),
            PushCheckInterval = TimeSpan.FromSeconds(5),
            NotVisibleGrace = TimeSpan.FromMinutes(5),
        }, h.Time, h.Log);

        // Tick 1: pushes the attempt's kernel, then dies at the save that would record its handle.
        var crashing = new CrashAfterSubmitStore(files);
        await Assert.ThrowsAsync<SimulatedCrash>(() => h.Drive(
            new PipelineRunner(Backend(), releases, crashing, packager, new Silent(), h.Time, options).TickAsync(pipeline, new RunRequest(RetryFailed: false), default)));
        Assert.True(crashing.Crashed);
        var recorded = (await files.LoadAsync(default))!.Stages["train"].Attempts.Single();
        Assert.Null(recorded.Handle); // the state knows the slug, not the kernel
        var kernels = h.Server.State.KernelRefs("alice").Concat(h.Server.State.KernelRefs("bob")).ToList();
        Assert.Equal([$"alice/{recorded.Slug}"], kernels);

        // Tick 2: a fresh process (new backend, new clients) over the durable state adopts the running kernel.
        var summary = await h.Drive(new PipelineRunner(Backend(), releases, files, packager, new Silent(), h.Time, options)
            .TickAsync(pipeline, new RunRequest(RetryFailed: false), default));
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
        await h.Drive(new PipelineRunner(Backend(), releases, files, packager, new Silent(), h.Time, options)
            .TickAsync(pipeline, new RunRequest(RetryFailed: false), default));
        Assert.Equal(1, h.Server.State.Calls("SaveKernel"));
        Assert.Single((await files.LoadAsync(default))!.Stages["train"].Attempts);
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
