using SteelCI.Contracts;
using SteelCI.Ports;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Running;

/// <summary>
/// Runs a pipeline to the end: reuse what is published, start ready stages within the backend's slots, poll,
/// collect, verify, publish, resume partial stages, and record every step in the state before the next one.
/// A killed runner picks up where the state says it was. <paramref name="placement"/> chooses what starts, where and
/// for how long (default: every ready stage within the backend's slots, whole sessions, the backend's account); an
/// attempt still active past its deadline plus <see cref="RunnerOptions.WatchdogMargin"/> is stopped and counted lost.
/// </summary>
public sealed class PipelineRunner(
    IComputeBackend backend,
    IArtifactStore store,
    IStateStore stateStore,
    IKernelPackager packager,
    IRunReporter reporter,
    TimeProvider time,
    RunnerOptions options,
    IPlacementPolicy? placement = null)
{
    private readonly IPlacementPolicy _placement = placement ?? DefaultPlacementPolicy.Instance;

    public async Task<RunSummary> RunAsync(Pipeline pipeline, RunRequest request, CancellationToken cancellationToken)
    {
        await using var runLock = await stateStore.LockAsync(cancellationToken);
        var run = await BeginAsync(pipeline, request, cancellationToken);
        while (await StepAsync(run, cancellationToken))
            await Task.Delay(options.PollInterval, time, cancellationToken);
        await SaveAsync(run.State, cancellationToken);
        return await SummarizeAsync(run, cancellationToken);
    }

    /// <summary>
    /// One reconcile step and no waiting: poll running attempts, collect and publish finished ones, start ready work,
    /// persist. Safe to repeat at any interval; the caller runs it again until the summary says nothing is active.
    /// </summary>
    public async Task<RunSummary> TickAsync(Pipeline pipeline, RunRequest request, CancellationToken cancellationToken)
    {
        await using var runLock = await stateStore.LockAsync(cancellationToken);
        var run = await BeginAsync(pipeline, request, cancellationToken);
        await StepAsync(run, cancellationToken);
        await SaveAsync(run.State, cancellationToken);
        return await SummarizeAsync(run, cancellationToken);
    }

    private async Task<RunContext> BeginAsync(Pipeline pipeline, RunRequest request, CancellationToken cancellationToken)
    {
        await store.RecoverAsync(cancellationToken);
        var state = await LoadStateAsync(pipeline, cancellationToken);
        string hash;
        Func<Task<TrainerBundle>> bundle;
        if (state.TrainerPin is { } pin)
        {
            // Pinned: the keys come from the pin, and the bundle is looked for only when an attempt needs it.
            reporter.Info($"Trainer bundle pinned at {Twelve(pin)} (`steelci unpin` builds the trainer again)");
            (hash, bundle) = (pin, () => PinnedBundleAsync(pipeline, pin, cancellationToken));
        }
        else if (await packager.TrainerSourceKeyAsync(pipeline, cancellationToken) is { } sourceKey
                 && state.TrainerBuilt is { } built && built.SourceKey == sourceKey)
        {
            // Unpinned, sources unchanged since the last publish: key with its hash, build only when an attempt needs it.
            reporter.Info($"Trainer sources unchanged since bundle {Twelve(built.Hash)} was built (source key {Twelve(sourceKey)}); building it only to start work");
            (hash, bundle) = (built.Hash, () => RebuiltBundleAsync(pipeline, state, built, cancellationToken));
        }
        else
        {
            reporter.Info($"Publishing the trainer ({Path.GetFileName(pipeline.TrainerProject)})");
            var published = await packager.PrepareTrainerAsync(pipeline, cancellationToken);
            (hash, bundle) = (published.Hash, () => Task.FromResult(published));
            var key = await packager.TrainerSourceKeyAsync(pipeline, cancellationToken);
            state.TrainerBuilt = key is null ? null : new TrainerBuild(key, published.Hash);
        }
        var (keys, parts) = ContentKeys.ComputeWithParts(pipeline, hash);
        foreach (var rekey in Rekeying.Explain(pipeline, state, keys, parts))
            reporter.Info(rekey.Line(rekey.Was == StageStatus.Running ? "stopped and restarted" : "retraining"));
        state.TrainerHash = hash;
        var run = new RunContext(pipeline, request, hash, bundle, keys, parts, state);
        await ReconcileAsync(run, cancellationToken);
        await SaveAsync(state, cancellationToken);
        return run;
    }

    private static string Twelve(string hash) => hash[..Math.Min(12, hash.Length)];

    /// <summary>
    /// The bundle whose hash the unchanged sources built before: one kept here, else a fresh build, which must have that
    /// hash. If it has not, the source key missed an input of the build: the record is dropped (the next run publishes
    /// to learn the hash) and nothing starts with keys that may be wrong.
    /// </summary>
    private async Task<TrainerBundle> RebuiltBundleAsync(Pipeline pipeline, RunState state, TrainerBuild built, CancellationToken cancellationToken)
    {
        if (await packager.FindTrainerAsync(built.Hash, cancellationToken) is { } kept)
            return kept;
        reporter.Info($"Publishing the trainer ({Path.GetFileName(pipeline.TrainerProject)}) to start work");
        var bundle = await packager.PrepareTrainerAsync(pipeline, cancellationToken);
        if (bundle.Hash == built.Hash)
            return bundle;
        state.TrainerBuilt = null;
        await SaveAsync(state, cancellationToken);
        throw new TrainerSourceKeyException(
            $"the trainer's sources (key {built.SourceKey}) built bundle {built.Hash} before but {bundle.Hash} now, so something " +
            "the source key does not cover changed (an SDK workload, an environment variable, a file outside the trainer's projects); " +
            "nothing was started and the record is dropped: the next run or tick publishes the trainer and keys the stages with its hash");
    }

    /// <summary>
    /// The pinned bundle, never another: one kept here from an earlier publish; else the copy kept in the pipeline's store
    /// (<see cref="StoredTrainerBundles"/>: every file verified against its manifest and the bundle hash recomputed);
    /// else a fresh build if it has the same hash. A bundle found here or built is stored once, so a runner that keeps
    /// nothing (every GitHub Actions job) gets it back after commits that change the trainer.
    /// </summary>
    private async Task<TrainerBundle> PinnedBundleAsync(Pipeline pipeline, string pin, CancellationToken cancellationToken)
    {
        var stored = new StoredTrainerBundles(store, time, options.SteelciVersion);
        if (await packager.FindTrainerAsync(pin, cancellationToken) is { } kept)
        {
            reporter.Info(await stored.EnsureStoredAsync(pipeline.Name, kept, replace: false, cancellationToken));
            return kept;
        }
        var fetched = await stored.FetchAsync(pin, reporter.Info, cancellationToken);
        if (fetched.Directory is { } directory)
        {
            reporter.Info($"The pinned trainer bundle {Twelve(pin)} is not kept here; using the copy stored as release {StoredTrainerBundles.Tag(pin)} (verified)");
            return await packager.AdoptTrainerAsync(directory, pin, cancellationToken);
        }
        reporter.Info($"The pinned trainer bundle {Twelve(pin)} is not kept here nor usable from the store ({fetched.Problem}); building the trainer to see whether it is the same");
        var built = await packager.PrepareTrainerAsync(pipeline, cancellationToken);
        if (built.Hash == pin)
        {
            reporter.Info(await stored.EnsureStoredAsync(pipeline.Name, built, replace: fetched.Refused, cancellationToken));
            return built;
        }
        throw new TrainerPinException(
            $"the trainer bundle of {pipeline.Name} is pinned at {pin}, but no bundle with that hash is kept here " +
            $"(trainer/bundles/{Twelve(pin)} in the workspace), none is usable from the store ({fetched.Problem}), " +
            $"and the trainer builds to {built.Hash} now; nothing was started. " +
            $"Bring the pinned bundle back (restore the workspace's trainer/bundles, or run `steelci pin` where it is kept, which stores it), " +
            $"or unpin with `steelci unpin {pipeline.SpecPath}` " +
            "and accept the retraining that the new bundle's keys cause (`steelci plan` lists it first)");
    }

    /// <summary>Finishes what has ended and starts what is ready; true while any attempt is still active.</summary>
    private async Task<bool> StepAsync(RunContext run, CancellationToken cancellationToken)
    {
        var starter = new AttemptStarter(backend, store, packager, reporter, time, options);
        var finisher = new AttemptFinisher(backend, store, reporter, time);
        foreach (var node in run.Pipeline.Nodes.Where(n => run.StageOf(n.Name).Status == StageStatus.Running))
        {
            var stage = run.StageOf(node.Name);
            var attempt = stage.Attempts.LastOrDefault(a => a.IsActive);
            if (attempt is null)
            {
                stage.Requeue(node.Name);
                continue;
            }
            if (await finisher.TryFinishAsync(run, node, attempt, cancellationToken))
                await SaveAsync(run.State, cancellationToken);
            else if (await WatchdogAsync(run, node, attempt, cancellationToken))
                await SaveAsync(run.State, cancellationToken);
        }

        BlockStagesWithFailedInputs(run);
        var active = run.Pipeline.Nodes.Count(n => run.StageOf(n.Name).Status == StageStatus.Running);
        var free = Math.Max(0, backend.Slots - active);
        if (free == 0)
            return active > 0; // nothing can start: the store is not asked about ready stages on every poll
        var ready = new List<PipelineNode>();
        foreach (var node in ReadyNodes(run).ToList())
            if (!await AlreadyPublishedAsync(run, node, cancellationToken))
                ready.Add(node);
        if (ready.Count == 0)
            return active > 0;

        var candidates = new List<PlacementCandidate>();
        foreach (var node in ready)
        {
            var partial = node.Resumable ? await starter.LatestPartialAsync(run, node, run.Keys[node.Name], cancellationToken) : null;
            candidates.Add(new PlacementCandidate(node, partial?.Manifest.Progress.EpochsDone ?? 0));
        }
        var decisions = await _placement.PlaceAsync(new PlacementRequest(time.GetUtcNow(), run.Pipeline, run.State, candidates, free),
            cancellationToken);
        var started = new HashSet<string>(StringComparer.Ordinal);
        var waiting = false;
        foreach (var decision in decisions)
        {
            var node = ready.FirstOrDefault(n => n.Name == decision.Stage);
            if (node is null || !started.Add(node.Name) || started.Count > free || decision.SessionLimit <= TimeSpan.Zero)
                continue; // a policy's slip never starts a stage twice, one that is not ready, or past the slots
            var attempt = await starter.StartAsync(run, node, decision, () => SaveAsync(run.State, cancellationToken), cancellationToken);
            if (attempt is null)
            {
                waiting = true; // the backend had no room: `run` waits a poll interval and places again, a tick leaves it to the next
                continue;
            }
            reporter.AttemptStarted(node.Name, attempt);
            active++;
        }
        return active > 0 || waiting;
    }

    /// <summary>
    /// Stops an attempt still active past its deadline plus the margin (a platform timeout that did not fire). Its
    /// files cannot be fetched from a running session, so its work is lost: counted on the stage, reported, and the
    /// chunk is redone from the last published checkpoint. True when it stopped one.
    /// </summary>
    private async Task<bool> WatchdogAsync(RunContext run, PipelineNode node, AttemptRecord attempt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (attempt.DeadlineUtc is not { } deadline || now <= deadline + options.WatchdogMargin || attempt.Handle is null)
            return false;
        await backend.StopAsync(new AttemptHandle(attempt.Slug, attempt.Handle), cancellationToken);
        var stage = run.StageOf(node.Name);
        attempt.State = AttemptState.Lost;
        attempt.EndedUtc = now;
        attempt.Error = $"watchdog: still running {Math.Round((now - deadline).TotalMinutes)} min past its deadline " +
            $"{deadline:u} (margin {options.WatchdogMargin.TotalMinutes:0} min); stopped, its session's work is lost and the chunk " +
            $"is redone from {attempt.ResumedFrom ?? "the start"}";
        attempt.Failure = FailureClass.Watchdog;
        stage.LostWork += now - attempt.StartedUtc;
        RequeueOrFailLost(run, node.Name, attempt);
        reporter.AttemptFinished(node.Name, attempt, "lost (stopped by the watchdog)");
        return true;
    }

    private async Task<RunState> LoadStateAsync(Pipeline pipeline, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var state = await stateStore.LoadAsync(cancellationToken);
        if (state is null || state.Pipeline != pipeline.Name)
            state = new RunState { Pipeline = pipeline.Name, RunId = "", StartedUtc = now };
        state.RunId = $"{now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        state.StartedUtc = now;
        return state;
    }

    /// <summary>Brings the recorded state in line with this run's keys and with what the store holds.</summary>
    private async Task ReconcileAsync(RunContext run, CancellationToken cancellationToken)
    {
        var orphans = await OrphansAsync(run, cancellationToken);
        foreach (var node in run.Pipeline.Nodes)
        {
            var key = run.Keys[node.Name];
            var stage = run.State.Stages.GetValueOrDefault(node.Name);
            if (stage is not null && stage.ContentKey == key)
                stage.KeyParts ??= run.Parts[node.Name]; // a state from before the parts were recorded learns them
            if (stage is not null && (stage.ContentKey != key || run.Request.Force))
            {
                await StopActiveAsync(stage, cancellationToken);
                stage = null;
            }
            if (stage is null)
            {
                stage = run.State.Stages[node.Name] = new StageState { ContentKey = key, KeyParts = run.Parts[node.Name] };
                await AdoptOrphansAsync(run, node, stage, orphans, cancellationToken);
            }

            foreach (var attempt in stage.Attempts.Where(a => a.IsActive && a.Handle is null))
            {
                if (backend is IAttemptRecovery recovery
                    && await recovery.FindAsync(attempt.Slug, attempt.Account, cancellationToken) is { } found)
                {
                    // Submitted, then the runner died before saving the handle: adopt it, never push the chunk again.
                    attempt.Handle = new Dictionary<string, string>(found.Data);
                    attempt.State = AttemptState.Running;
                    attempt.Account ??= found.Data.GetValueOrDefault("account");
                    continue;
                }
                // Killed between recording the attempt and hearing back from the backend: whatever was started
                // runs in its own slug's folder and is never read.
                attempt.State = AttemptState.Lost;
                attempt.Failure = FailureClass.Lost;
                attempt.Error = "the runner stopped before the backend confirmed this attempt";
            }

            if (stage.Status is StageStatus.Failed or StageStatus.Blocked)
            {
                if (!run.Request.RetryFailed)
                    continue;
                stage.Retry(node.Name);
            }
            if (stage.Attempts.Any(a => a.IsActive))
            {
                stage.Adopt(node.Name);
                continue;
            }

            var tag = ReleaseTag.Complete(run.Pipeline.Name, node.Name, key).ToString();
            var release = run.Request.Force ? null : await store.FindVerifiedAsync(tag, reporter.Info, cancellationToken);
            if (release is not null)
            {
                stage.Reuse(node.Name, tag);
                reporter.StageReused(node.Name, tag);
            }
            else
                stage.Forget(node.Name);
        }
        foreach (var name in run.State.Stages.Keys.Where(n => run.Pipeline.Nodes.All(node => node.Name != n)).ToList())
            run.State.Stages.Remove(name);
    }

    /// <summary>
    /// With no recorded state at all (a first run, or a state lost altogether), the backend's attempts still queued or
    /// running under slugs of this pipeline's stages and keys: they are adopted instead of being started a second time.
    /// </summary>
    private async Task<IReadOnlyList<AttemptHandle>> OrphansAsync(RunContext run, CancellationToken cancellationToken)
    {
        if (run.State.Stages.Count > 0 || run.Request.Force || backend is not IAttemptRecovery recovery)
            return [];
        return await recovery.FindActiveAsync(slug => run.Pipeline.Nodes.Any(n =>
            KernelSlug.AttemptOf(slug, run.Pipeline.Name, n.Name, run.Keys[n.Name]) is not null), cancellationToken);
    }

    private async Task AdoptOrphansAsync(RunContext run, PipelineNode node, StageState stage, IReadOnlyList<AttemptHandle> orphans,
        CancellationToken cancellationToken)
    {
        var key = run.Keys[node.Name];
        var mine = orphans.Select(o => (Handle: o, Number: KernelSlug.AttemptOf(o.Slug, run.Pipeline.Name, node.Name, key)))
            .Where(o => o.Number is not null).OrderBy(o => o.Number).ToList();
        if (mine.Count == 0 || await store.FindAsync(ReleaseTag.Complete(run.Pipeline.Name, node.Name, key).ToString(), cancellationToken) is not null)
            return; // a stage whose complete release exists is reused; its stray sessions are not read
        var now = time.GetUtcNow();
        foreach (var (handle, number) in mine)
        {
            var started = handle.Data.TryGetValue("pushedUtc", out var pushed)
                && DateTimeOffset.TryParse(pushed, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at)
                ? at : now;
            stage.Attempts.Add(new AttemptRecord
            {
                Slug = handle.Slug,
                Number = number!.Value,
                Backend = backend.Name,
                Account = handle.Data.GetValueOrDefault("account"),
                State = AttemptState.Running,
                StartedUtc = started,
                DeadlineUtc = started + TimeSpan.FromMinutes(run.Pipeline.SessionMinutes),
                Handle = new Dictionary<string, string>(handle.Data),
            });
            reporter.Info($"{node.Name}: adopted {handle.Slug}, still running on {backend.Name} from a lost state");
        }
    }

    private async Task StopActiveAsync(StageState stage, CancellationToken cancellationToken)
    {
        foreach (var attempt in stage.Attempts.Where(a => a.IsActive && a.Handle is not null))
        {
            await backend.StopAsync(new AttemptHandle(attempt.Slug, attempt.Handle!), cancellationToken);
            attempt.State = AttemptState.Lost;
            attempt.Failure = FailureClass.Lost;
            attempt.Error = "stopped: the stage's content key changed or --force was given";
        }
    }

    /// <summary>
    /// Attempts the backend ran and lost. One recorded but never confirmed (the runner died before the backend
    /// answered) is not the stage's fault and does not count against <see cref="RunRequest.LostRetries"/>.
    /// </summary>
    internal static int LostCount(StageState stage) => stage.Attempts.Count(a => a.State == AttemptState.Lost && a.Handle is not null);

    /// <summary>After <paramref name="attempt"/> was lost: the stage is ready again, or failed as lost past <see cref="RunRequest.LostRetries"/>.</summary>
    internal static void RequeueOrFailLost(RunContext run, string name, AttemptRecord attempt)
    {
        var stage = run.StageOf(name);
        var lost = LostCount(stage);
        if (lost > run.Request.LostRetries)
            stage.Fail(name, FailureClass.Lost, $"{lost} attempts were lost; last: {attempt.Error}");
        else
            stage.Requeue(name);
    }

    /// <summary>
    /// Work is never started twice: a stage whose complete, verifying release exists already (a runner killed after publishing
    /// and before saving its state, another machine, a concurrent run) is taken from the store instead.
    /// </summary>
    private async Task<bool> AlreadyPublishedAsync(RunContext run, PipelineNode node, CancellationToken cancellationToken)
    {
        if (run.Request.Force)
            return false; // retraining was asked for; the new output replaces the release when it is published
        var tag = ReleaseTag.Complete(run.Pipeline.Name, node.Name, run.Keys[node.Name]).ToString();
        if (await store.FindVerifiedAsync(tag, reporter.Info, cancellationToken) is null)
            return false;
        var stage = run.StageOf(node.Name);
        if (stage.Attempts.Count == 0)
            stage.Reuse(node.Name, tag);
        else
            stage.TakePublished(node.Name, tag);
        reporter.StageReused(node.Name, tag);
        return true;
    }

    private static void BlockStagesWithFailedInputs(RunContext run)
    {
        bool changed;
        do
        {
            changed = false;
            foreach (var node in run.Pipeline.Nodes.Where(n => run.StageOf(n.Name).Status == StageStatus.Pending))
            {
                var broken = node.Inputs.FirstOrDefault(i => run.State.Stages.TryGetValue(i, out var s)
                    && s.Status is StageStatus.Failed or StageStatus.Blocked);
                if (broken is null)
                    continue;
                run.StageOf(node.Name).Block(node.Name, broken);
                changed = true;
            }
        } while (changed);
    }

    private static IEnumerable<PipelineNode> ReadyNodes(RunContext run) =>
        run.Pipeline.Nodes.Where(n => run.StageOf(n.Name).Status == StageStatus.Pending
            && n.Inputs.All(i => !run.State.Stages.ContainsKey(i) || RunContext.IsDone(run.StageOf(i))));

    private async Task SaveAsync(RunState state, CancellationToken cancellationToken)
    {
        state.UpdatedUtc = time.GetUtcNow();
        await stateStore.SaveAsync(state, cancellationToken);
    }

    private async Task<RunSummary> SummarizeAsync(RunContext run, CancellationToken cancellationToken)
    {
        var rows = new List<StageSummary>();
        foreach (var node in run.Pipeline.Nodes)
        {
            var stage = run.StageOf(node.Name);
            var wall = stage.Status == StageStatus.Reused
                ? TimeSpan.Zero
                : stage.Attempts.Where(a => a.StartedUtc >= run.State.StartedUtc && a.EndedUtc is not null)
                    .Aggregate(TimeSpan.Zero, (sum, a) => sum + (a.EndedUtc!.Value - a.StartedUtc));
            var release = stage.Release is null ? null : await store.FindAsync(stage.Release, cancellationToken);
            var metrics = release?.Manifest.Metrics ?? new Dictionary<string, double>();
            // metric: one manifest metric, or a comma-separated list (the first is the stage's main one)
            var names = node.Metric?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                ?? metrics.Keys.Take(1).ToArray();
            var metricName = names.FirstOrDefault();
            double? metricValue = metricName is not null && metrics.TryGetValue(metricName, out var value) ? value : null;
            rows.Add(new StageSummary(node.Name, stage.Status, wall, metricName, metricValue, stage.Release,
                release?.Location, stage.Error)
            {
                Failure = stage.Failure,
                KeyMetrics = names.Where(metrics.ContainsKey).Select(n => new KeyValuePair<string, double>(n, metrics[n])).ToList(),
            });
        }
        var stopped = run.State.Stages.Values.SelectMany(s => s.Attempts).Count(a => a.Failure == FailureClass.Watchdog);
        return new RunSummary(run.Pipeline.Name, run.State.RunId, rows)
        {
            WatchdogStops = stopped,
            LostWork = run.State.Stages.Values.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.LostWork),
        };
    }
}
