using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Ports;
using SteelCI.Spec;
using SteelCI.Tests.Contracts;

namespace SteelCI.Tests.Running;

/// <summary>What a scripted attempt does when it ends.</summary>
public enum Outcome { Complete, Partial, Fail, Lost, BadManifest }

/// <summary>
/// A compute backend whose attempts end after a set number of polls with a scripted outcome, writing real output
/// folders and logs. It stands in for Kaggle or local processes in the runner's tests; the real local backend is
/// exercised in LocalBackendTests and the end-to-end tests.
/// </summary>
public sealed class ScriptedBackend(string root, int slots = 2, int pollsToFinish = 2) : IComputeBackend
{
    private readonly Dictionary<string, int> _polls = new();
    public readonly List<KernelPackage> Submitted = new();
    public readonly Dictionary<string, StageConfig> Configs = new();
    public readonly List<string> Stopped = new();
    public int MaxConcurrent { get; private set; }
    /// <summary>Decides each attempt's outcome from its stage and attempt number (1-based, per stage).</summary>
    public Func<StageConfig, int, Outcome> Script { get; set; } = (_, _) => Outcome.Complete;

    public string Name => "scripted";
    public int Slots { get; } = slots;

    public Task<AttemptHandle> SubmitAsync(KernelPackage package, CancellationToken cancellationToken)
    {
        Submitted.Add(package);
        _polls[package.Slug] = 0;
        MaxConcurrent = Math.Max(MaxConcurrent, _polls.Count(p => p.Value >= 0));
        return Task.FromResult(new AttemptHandle(package.Slug, new Dictionary<string, string> { ["slug"] = package.Slug }));
    }

    public Task<AttemptStatus> PollAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        if (!_polls.TryGetValue(handle.Slug, out var polls))
            throw new InvalidOperationException($"unknown attempt {handle.Slug}");
        if (polls < 0)
            return Task.FromResult(Finish(handle.Slug));
        _polls[handle.Slug] = ++polls;
        if (polls < pollsToFinish)
            return Task.FromResult(new AttemptStatus(AttemptState.Running));
        _polls[handle.Slug] = -1;
        return Task.FromResult(Finish(handle.Slug));
    }

    public Task<CollectedOutput> CollectAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(root, handle.Slug);
        return Task.FromResult(new CollectedOutput(directory, File.ReadAllText(Path.Combine(directory, "..", handle.Slug + ".log"))));
    }

    public Task StopAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        Stopped.Add(handle.Slug);
        return Task.CompletedTask;
    }

    private AttemptStatus Finish(string slug)
    {
        var config = Configs[slug];
        var number = Submitted.Where(p => Configs[p.Slug].Stage == config.Stage).ToList().FindIndex(p => p.Slug == slug) + 1;
        var outcome = Script(config, number);
        var directory = Path.Combine(root, slug);
        var log = Path.Combine(Directory.CreateDirectory(root).FullName, slug + ".log");
        if (File.Exists(log))
            return Status(outcome);
        switch (outcome)
        {
            case Outcome.Lost:
                File.WriteAllText(log, "started\n");
                break;
            case Outcome.Fail:
                File.WriteAllText(log, $"Traceback: ValueError in {config.Stage}\n{TrainerContract.EndMarker("failed", null)}\n");
                break;
            default:
                var resumed = config.ResumeFrom is null ? 0 : 1;
                var done = outcome == Outcome.Partial ? resumed + 1 : config.Epochs;
                Manifests.Write(directory, config.Stage, config.ContentKey,
                    outcome == Outcome.Partial ? OutputStatus.Partial : OutputStatus.Complete, done, config.Epochs);
                var hash = Sha256.OfFile(Path.Combine(directory, Manifest.FileName));
                if (outcome == Outcome.BadManifest)
                    File.AppendAllText(Path.Combine(directory, "model.safetensors"), "tampered");
                File.WriteAllText(log, $"ok\n{TrainerContract.EndMarker(outcome == Outcome.Partial ? "partial" : "complete", hash)}\n");
                break;
        }
        return Status(outcome);
    }

    private static AttemptStatus Status(Outcome outcome) => outcome switch
    {
        Outcome.Lost => new AttemptStatus(AttemptState.Lost, "vanished"),
        Outcome.Fail => new AttemptStatus(AttemptState.Error, "exit code 1"),
        _ => new AttemptStatus(AttemptState.Complete),
    };
}

/// <summary>A packager that skips dotnet publish: the bundle is an empty folder with a fixed hash.</summary>
public sealed class RecordingPackager(string root, ScriptedBackend backend) : IKernelPackager
{
    public string TrainerHash { get; set; } = new('7', 64);

    /// <summary>How many times the trainer was published (built and hashed).</summary>
    public int Published { get; private set; }
    /// <summary>Bundles kept from earlier publishes, by hash (what <see cref="FindTrainerAsync"/> finds).</summary>
    public Dictionary<string, TrainerBundle> Kept { get; } = new();

    public Task<TrainerBundle> PrepareTrainerAsync(Pipeline pipeline, CancellationToken cancellationToken)
    {
        Published++;
        return Task.FromResult(Kept[TrainerHash] = new TrainerBundle(Directory.CreateDirectory(Path.Combine(root, "bundle", TrainerHash[..12])).FullName, TrainerHash));
    }

    public Task<TrainerBundle?> FindTrainerAsync(string hash, CancellationToken cancellationToken) => Task.FromResult(Kept.GetValueOrDefault(hash));

    /// <summary>The trainer's source key (null: this packager cannot tell, every unpinned run publishes).</summary>
    public string? SourceKey { get; set; }

    public Task<string?> TrainerSourceKeyAsync(Pipeline pipeline, CancellationToken cancellationToken) => Task.FromResult(SourceKey);

    public KernelPackage Package(string slug, StageConfig config, TrainerBundle bundle, IReadOnlyList<KernelSource> sources,
        string accelerator, TimeSpan sessionLimit)
    {
        backend.Configs[slug] = config;
        return new KernelPackage(slug, root, "launcher.py", sources, accelerator, sessionLimit);
    }
}
