using System.Security.Cryptography;
using SteelCI.Contracts;
using SteelCI.Ports;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Running;

/// <summary>Turns a ready node into a submitted attempt: inputs resolved, resume point chosen, kernel packaged.</summary>
internal sealed class AttemptStarter(IComputeBackend backend, IArtifactStore store, IKernelPackager packager,
    IRunReporter reporter, TimeProvider time, RunnerOptions options)
{
    public const string ResumeMount = "steelci-resume";

    /// <returns>The attempt, or null when the backend had no room (<see cref="ICapacityRefusal"/>): the attempt is withdrawn, the stage waits.</returns>
    public async Task<AttemptRecord?> StartAsync(RunContext run, PipelineNode node, PlacementDecision decision, Func<Task> save,
        CancellationToken cancellationToken)
    {
        var stage = run.StageOf(node.Name);
        var key = run.Keys[node.Name];
        var sources = new List<KernelSource>();
        var inputs = new List<StageInput>();
        // A backend that keys stored inputs by their manifest fetches them only to upload them (never when it holds them).
        // A stage on compute: any runs where its placement chose (Kaggle when nothing chose).
        var compute = decision.Backend ?? (run.Pipeline.BackendOf(node) is Pipeline.AnyBackend ? "kaggle" : run.Pipeline.BackendOf(node));
        var onDemand = backend.FetchesSourcesOnDemand(compute);
        foreach (var name in node.Inputs)
        {
            if (run.Pipeline.ExternalDatasets.TryGetValue(name, out var external))
            {
                sources.Add(new KernelSource(name, external.Path, run.Keys[name]) { Competition = external.Competition });
                inputs.Add(new StageInput(name, name, external.Competition is { } competition ? $"kaggle-competition:{competition}" : external.Path, run.Keys[name]));
                continue;
            }
            var tag = run.StageOf(name).Release ?? throw new InvalidOperationException($"input '{name}' of '{node.Name}' has no release");
            var release = await store.FindAsync(tag, cancellationToken)
                ?? throw new InvalidDataException($"release {tag} (input '{name}' of '{node.Name}') vanished from {store.Location}; run again to retrain it");
            sources.Add(await SourceAsync(name, release, run.Keys[name], onDemand, cancellationToken));
            inputs.Add(new StageInput(name, name, tag, run.Keys[name]));
        }

        var resume = node.Resumable ? await LatestPartialAsync(run, node, key, cancellationToken) : null;
        if (resume is not null)
        {
            sources.Add(await SourceAsync(ResumeMount, resume, key, onDemand, cancellationToken));
            inputs.Add(new StageInput(ResumeMount, ResumeMount, resume.Tag, key));
        }

        var number = stage.Attempts.Count + 1;
        var slug = KernelSlug.Create(run.Pipeline.Name, node.Name, key, number, Nonce());
        var config = new StageConfig
        {
            Pipeline = run.Pipeline.Name,
            Stage = node.Name,
            Entry = node.Entry,
            ContentKey = key,
            Epochs = node.Epochs,
            Params = node.Params,
            Inputs = inputs,
            ResumeFrom = resume is null ? null : ResumeMount,
            TrainerHash = run.TrainerHash,
            SteelciVersion = options.SteelciVersion,
            SourceCommit = options.SourceCommit,
        };
        var package = packager.Package(slug, config, await run.BundleAsync(), sources, node.Accelerator, decision.SessionLimit)
            with { Account = decision.Account, Compute = compute };

        var now = time.GetUtcNow();
        var attempt = new AttemptRecord
        {
            Slug = slug,
            Number = number,
            Backend = backend is RoutingBackend ? package.Compute! : backend.Name,
            Account = decision.Account,
            StartedUtc = now,
            DeadlineUtc = now + decision.SessionLimit,
            PlannedEpochs = decision.Epochs,
            FromEpoch = resume?.Manifest.Progress.EpochsDone ?? 0,
            ResumedFrom = resume?.Tag,
        };
        stage.Attempts.Add(attempt);
        stage.Start(node.Name);
        await save();

        AttemptHandle handle;
        try
        {
            handle = await backend.SubmitAsync(package, cancellationToken);
        }
        catch (Exception error) when (error is ICapacityRefusal refusal)
        {
            // Nothing started: withdraw the attempt as if never recorded; a later step places the stage again.
            stage.Attempts.Remove(attempt);
            stage.Requeue(node.Name);
            foreach (var (account, sessions) in refusal.OwnerSessions)
                run.State.OwnerSessions[account] = new OwnerUse { Sessions = sessions, SeenUtc = now };
            await save();
            reporter.Info($"{node.Name}: not started, no room now ({error.Message}); it waits and is placed again later");
            return null;
        }
        if ((handle.Data.GetValueOrDefault("account") ?? decision.Account) is { } accepted)
            run.State.OwnerSessions.Remove(accepted);
        attempt.Handle = new Dictionary<string, string>(handle.Data);
        attempt.Account ??= handle.Data.GetValueOrDefault("account");
        attempt.State = AttemptState.Running;
        await save();
        return attempt;
    }

    /// <summary>
    /// The furthest partial checkpoint of this stage and key: first among this stage's own attempts, else (state lost,
    /// not forced) among the store's releases.
    /// </summary>
    public async Task<StoredRelease?> LatestPartialAsync(RunContext run, PipelineNode node, string key, CancellationToken cancellationToken)
    {
        var prefix = ReleaseTag.Complete(run.Pipeline.Name, node.Name, key) + "-partial-";
        var own = run.StageOf(node.Name).Attempts.Select(a => a.Release).Where(t => t?.StartsWith(prefix) == true).ToHashSet();
        var candidates = (await store.ListAsync(prefix, cancellationToken))
            .Where(r => own.Contains(r.Tag) || (own.Count == 0 && !run.Request.Force))
            .OrderByDescending(r => r.Manifest.Progress.EpochsDone);
        foreach (var candidate in candidates)
            if (await store.FindVerifiedAsync(candidate.Tag, reporter.Info, cancellationToken) is { } verified)
                return verified; // a damaged checkpoint is set aside; the next best one (or the start) is used
        return null;
    }

    private async Task<KernelSource> SourceAsync(string mount, StoredRelease release, string key, bool onDemand, CancellationToken cancellationToken) =>
        onDemand
            ? new KernelSource(mount, "", key) { Manifest = release.Manifest, Fetch = ct => store.FetchAsync(release, ct) }
            : new KernelSource(mount, await store.FetchAsync(release, cancellationToken), key) { Manifest = release.Manifest };

    private static string Nonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))[..5];
}
