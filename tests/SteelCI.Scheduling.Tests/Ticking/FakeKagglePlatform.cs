using System.Globalization;
using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.Scheduling.Accounts;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Scheduling.Tests.Ticking;

/// <summary>
/// A Kaggle-like platform on fake time for ticks of the real runner: accounts with a weekly GPU allowance that every
/// running session consumes (start-up included), refreshed every 7 days from the start; at most two GPU sessions per
/// account (a third push is refused; all of these are <see cref="PlatformRules"/>); a session stops at its limit (Kaggle honours <c>sessionTimeoutSeconds</c>) or when
/// its account's quota runs out, and then its files are lost. The trainer follows docs/contracts.md: the launcher keeps
/// min(10 %, 15 min) of the limit back, the trainer always runs its first epoch and stops before one that would not fit
/// (slowest × 1.25), writing a partial manifest. Some trainers hang: they never end by themselves and the platform's
/// timeout ends their session, work lost. Outputs are real folders with valid manifests and end markers.
/// Production's powers only: <see cref="StopAsync"/> forgets an attempt as the Kaggle backend does (the session runs
/// on, holding its slot and spending quota); <see cref="FindAsync"/> finds a pushed kernel by its slug, as the backend's
/// GetKernel/ListKernels recovery does once the kernel is visible.
/// </summary>
public sealed class FakeKagglePlatform : IComputeBackend, IAttemptRecovery, IQuotaSource, IKernelPackager
{
    private static readonly TimeSpan QuotaWeek = PlatformRules.QuotaRefreshPeriod;
    public static readonly TimeSpan Startup = PlatformRules.Startup;

    private readonly string _root;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _start;
    private readonly IReadOnlyList<string> _accounts;
    private readonly IReadOnlyDictionary<string, double> _minutesPerEpoch;
    private readonly Random _random;
    private readonly double _hangProbability;
    private readonly Dictionary<string, StageConfig> _configs = new();

    public FakeKagglePlatform(string root, TimeProvider time, IReadOnlyList<string> accounts, Pipeline pipeline, int seed,
        double hangProbability = 0)
    {
        _root = Directory.CreateDirectory(root).FullName;
        _time = time;
        _start = time.GetUtcNow();
        _accounts = accounts;
        _minutesPerEpoch = pipeline.Nodes.ToDictionary(n => n.Name, n => n.MinutesPerEpoch > 0 ? n.MinutesPerEpoch : 5);
        _random = new Random(seed);
        _hangProbability = hangProbability;
    }

    public TimeSpan WeeklyQuota { get; init; } = PlatformRules.WeeklyGpuQuota;
    public TimeSpan PlatformSessionLimit { get; init; } = PlatformRules.SessionLimit;
    public List<Session> Sessions { get; } = new();
    public List<string> Refusals { get; } = new();

    public sealed class Session
    {
        public required string Slug { get; init; }
        public required string Stage { get; init; }
        public required string Account { get; init; }
        public required bool Gpu { get; init; }
        public required int FromEpoch { get; init; }
        public required int EpochsTotal { get; init; }
        public required DateTimeOffset Start { get; init; }
        public required TimeSpan Limit { get; init; }
        public required bool Hangs { get; init; }
        /// <summary>When the trainer ends by itself and with how many epochs (ignoring hangs and stops).</summary>
        public DateTimeOffset TrainerEnd { get; set; }
        public int EpochsAtEnd { get; set; }
        public DateTimeOffset? Ended { get; set; }
        public string? EndReason { get; set; } // complete, partial, limit, quota
        /// <summary>Stopped by the runner: forgotten by the backend, still running on the platform.</summary>
        public bool Forgotten { get; set; }
        public int Polls { get; set; }
        public bool Collected { get; set; }
    }

    public string Name => "fake-kaggle";
    public int Slots => _accounts.Count * PlatformRules.GpuSessionsPerAccount;

    // ---- IKernelPackager ----
    public Task<TrainerBundle> PrepareTrainerAsync(Pipeline pipeline, CancellationToken cancellationToken) =>
        Task.FromResult(new TrainerBundle(Directory.CreateDirectory(Path.Combine(_root, "bundle")).FullName, new string('7', 64)));

    public KernelPackage Package(string slug, StageConfig config, TrainerBundle bundle, IReadOnlyList<KernelSource> sources,
        string accelerator, TimeSpan sessionLimit)
    {
        _configs[slug] = config;
        return new KernelPackage(slug, _root, "launcher.py", sources, accelerator, sessionLimit);
    }

    // ---- IComputeBackend ----
    public Task<AttemptHandle> SubmitAsync(KernelPackage package, CancellationToken cancellationToken)
    {
        Advance();
        var now = _time.GetUtcNow();
        var config = _configs[package.Slug];
        var gpu = package.Accelerator == "gpu";
        var account = package.Account ?? _accounts.First();
        if (!_accounts.Contains(account))
            throw new InvalidOperationException($"unknown account {account}");
        if (gpu && Sessions.Count(s => s.Gpu && s.Account == account && s.Ended is null) >= PlatformRules.GpuSessionsPerAccount)
        {
            Refusals.Add($"{now:u} {package.Slug}: {account} has {PlatformRules.GpuSessionsPerAccount} GPU sessions running");
            throw new InvalidOperationException($"{account}: session cap");
        }
        if (gpu && Left(account, now) <= TimeSpan.Zero)
        {
            Refusals.Add($"{now:u} {package.Slug}: {account} has no quota left");
            throw new InvalidOperationException($"{account}: no quota");
        }
        var from = config.ResumeFrom is null ? 0
            : ReleaseTag.TryParse(config.Pipeline, config.Inputs.Single(i => i.Name == config.ResumeFrom).Source)?.PartialEpochs ?? 0;
        var limit = package.SessionLimit < PlatformSessionLimit ? package.SessionLimit : PlatformSessionLimit;
        var session = new Session
        {
            Slug = package.Slug, Stage = config.Stage, Account = account, Gpu = gpu, FromEpoch = from, EpochsTotal = config.Epochs,
            Start = now, Limit = limit, Hangs = gpu && _random.NextDouble() < _hangProbability,
        };
        // The trainer: launcher margin, first epoch always, then only epochs that fit with 25 % headroom.
        var epoch = TimeSpan.FromMinutes(_minutesPerEpoch[config.Stage]);
        var budget = limit - Startup - PlatformRules.LauncherMargin(limit);
        var done = from;
        var used = TimeSpan.Zero;
        while (done < config.Epochs && (done == from || used + epoch * 1.25 <= budget))
        {
            used += epoch;
            done++;
        }
        session.TrainerEnd = now + Startup + used;
        session.EpochsAtEnd = done;
        Sessions.Add(session);
        return Task.FromResult(Handle(session));
    }

    public async Task<AttemptStatus> PollAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        await Task.Yield(); // a real round trip: a concurrent tick gets to run meanwhile
        Advance();
        var session = Find(handle.Slug);
        session.Polls++;
        return session.EndReason switch
        {
            null => new AttemptStatus(AttemptState.Running),
            "complete" or "partial" => new AttemptStatus(AttemptState.Complete),
            // As the Kaggle backend reads an ERROR at the session timeout (KaggleBackend.EndedAtTimeout).
            "limit" => new AttemptStatus(AttemptState.Lost, $"the session ended at its timeout of {session.Limit.TotalHours:0.##} h without the trainer's end"),
            _ => new AttemptStatus(AttemptState.Error, $"the platform stopped the session ({session.EndReason})"),
        };
    }

    public Task<CollectedOutput> CollectAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        var session = Find(handle.Slug);
        var directory = Path.Combine(_root, "out", session.Slug);
        session.Collected = true;
        return Task.FromResult(new CollectedOutput(directory, File.ReadAllText(Path.Combine(_root, "out", session.Slug + ".log"))));
    }

    /// <summary>As the Kaggle backend's stop: the API cannot end a running session, so it is only forgotten.</summary>
    public Task StopAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        Find(handle.Slug).Forgotten = true;
        return Task.CompletedTask;
    }

    public Task<AttemptHandle?> FindAsync(string slug, string? account, CancellationToken cancellationToken) =>
        Task.FromResult(Sessions.FirstOrDefault(s => s.Slug == slug) is { } session ? Handle(session) : null);

    // ---- IQuotaSource: Kaggle's view, elapsed part of running sessions included ----
    public Task<QuotaSnapshot> ReadAsync(string account, CancellationToken cancellationToken)
    {
        Advance();
        var now = _time.GetUtcNow();
        var (weekStart, refresh) = Week(now);
        return Task.FromResult(new QuotaSnapshot(WeeklyQuota, Used(account, weekStart, now), TimeSpan.Zero, refresh));
    }

    /// <summary>GPU time each account used in each quota week.</summary>
    public IReadOnlyDictionary<(string Account, int Week), TimeSpan> WeeklyUse()
    {
        var now = _time.GetUtcNow();
        var use = new Dictionary<(string, int), TimeSpan>();
        foreach (var s in Sessions.Where(s => s.Gpu))
        {
            var end = s.Ended ?? now;
            for (var week = 0; _start + QuotaWeek * week < end; week++)
            {
                var from = _start + QuotaWeek * week;
                var part = Overlap(s.Start, end, from, from + QuotaWeek);
                if (part > TimeSpan.Zero)
                    use[(s.Account, week)] = use.GetValueOrDefault((s.Account, week)) + part;
            }
        }
        return use;
    }

    /// <summary>Ends sessions whose time has come: the trainer's own end, the session limit, or the account's quota.</summary>
    public void Advance()
    {
        var now = _time.GetUtcNow();
        foreach (var session in Sessions.Where(s => s.Ended is null).ToList())
        {
            var limitAt = session.Start + session.Limit;
            var trainerEnd = session.Hangs ? DateTimeOffset.MaxValue : session.TrainerEnd;
            var quotaAt = session.Gpu ? QuotaRunsOut(session, now) : DateTimeOffset.MaxValue;
            var first = new[] { (trainerEnd, "trainer"), (limitAt, "limit"), (quotaAt, "quota") }.MinBy(e => e.Item1);
            if (first.Item1 > now)
                continue;
            session.Ended = first.Item1;
            if (first.Item2 == "trainer")
            {
                session.EndReason = session.EpochsAtEnd >= session.EpochsTotal ? "complete" : "partial";
                WriteOutput(session);
            }
            else
            {
                session.EndReason = first.Item2;
                WriteLog(session, null);
            }
        }
    }

    private DateTimeOffset QuotaRunsOut(Session session, DateTimeOffset now)
    {
        var (weekStart, _) = Week(now);
        var left = WeeklyQuota - Used(session.Account, weekStart, now);
        if (left > TimeSpan.Zero)
            return DateTimeOffset.MaxValue;
        return now; // checked at every advance: once the week is spent, running sessions stop
    }

    private TimeSpan Left(string account, DateTimeOffset now) => WeeklyQuota - Used(account, Week(now).Start, now);

    private TimeSpan Used(string account, DateTimeOffset weekStart, DateTimeOffset now) =>
        Sessions.Where(s => s.Gpu && s.Account == account)
            .Aggregate(TimeSpan.Zero, (sum, s) => sum + Overlap(s.Start, s.Ended ?? now, weekStart, now));

    private (DateTimeOffset Start, DateTimeOffset Refresh) Week(DateTimeOffset now)
    {
        var weeks = Math.Floor((now - _start) / QuotaWeek);
        var start = _start + QuotaWeek * weeks;
        return (start, start + QuotaWeek);
    }

    private static TimeSpan Overlap(DateTimeOffset a0, DateTimeOffset a1, DateTimeOffset b0, DateTimeOffset b1)
    {
        var from = a0 > b0 ? a0 : b0;
        var to = a1 < b1 ? a1 : b1;
        return to > from ? to - from : TimeSpan.Zero;
    }

    private void WriteOutput(Session session)
    {
        var config = _configs[session.Slug];
        var directory = Directory.CreateDirectory(Path.Combine(_root, "out", session.Slug)).FullName;
        var weights = Path.Combine(directory, "model.safetensors");
        File.WriteAllText(weights, $"weights of {session.Stage} after {session.EpochsAtEnd} epochs");
        var manifest = new Manifest
        {
            Pipeline = config.Pipeline,
            Stage = config.Stage,
            Entry = config.Entry,
            Status = session.EndReason == "complete" ? OutputStatus.Complete : OutputStatus.Partial,
            ContentKey = config.ContentKey,
            Files = [new ManifestFile("model.safetensors", Sha256.OfFile(weights), new FileInfo(weights).Length)],
            Metrics = new Dictionary<string, double> { ["score"] = 0.5 },
            Progress = new Progress(session.EpochsAtEnd, session.EpochsTotal),
            Lineage = new Lineage { TrainerHash = config.TrainerHash, SteelciVersion = "0.1.0" },
            Runtime = new RuntimeInfo("0.107.0", "2.10.0", "cuda", 1, "linux"),
            CreatedUtc = session.Ended!.Value,
        };
        var path = Path.Combine(directory, Manifest.FileName);
        File.WriteAllText(path, Json.Serialize(manifest));
        WriteLog(session, Sha256.OfFile(path));
    }

    private void WriteLog(Session session, string? manifestHash) =>
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(_root, "out")).FullName, session.Slug + ".log"),
            $"epochs {session.FromEpoch}..{session.EpochsAtEnd}\n" + (manifestHash is null ? "" :
                TrainerContract.EndMarker(session.EndReason == "complete" ? "complete" : "partial", manifestHash) + "\n"));

    private Session Find(string slug) => Sessions.FirstOrDefault(s => s.Slug == slug) ?? throw new InvalidOperationException($"unknown kernel {slug}");

    private static AttemptHandle Handle(Session session) => new(session.Slug, new Dictionary<string, string>
    {
        ["account"] = session.Account,
        ["kernel"] = session.Slug,
        ["pushedUtc"] = session.Start.ToString("O", CultureInfo.InvariantCulture),
    });
}

/// <summary>Reports nothing; the chaos run reads the state and the platform instead.</summary>
public sealed class SilentReporter : IRunReporter
{
    public List<string> Lost { get; } = new();
    public void Info(string message) { }
    public void StageReused(string stage, string tag) { }
    public void AttemptStarted(string stage, AttemptRecord attempt) { }
    public void AttemptFinished(string stage, AttemptRecord attempt, string outcome)
    {
        if (outcome.StartsWith("lost"))
            Lost.Add($"{stage} {attempt.Slug}: {attempt.Error}");
    }
    public void StageFinished(string stage, StageState state) { }
}
