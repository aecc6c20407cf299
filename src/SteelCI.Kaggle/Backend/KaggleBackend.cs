using System.Collections.Concurrent;
using System.Globalization;
using SteelCI.Contracts;
using SteelCI.Kaggle.Api;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Backend;

/// <summary>
/// Runs each attempt as a private Kaggle kernel on one of several accounts: sources uploaded once per account as
/// content-addressed datasets, the launcher pushed with those datasets attached (GPU per accelerator, internet off),
/// status polled per version, outputs and log downloaded into a local folder. The handle holds account, owner,
/// kernel slug and version, so a restarted runner finds the attempt again; a runner that died between the push and
/// saving the handle finds the kernel by its slug (<see cref="FindAsync"/>) and adopts it. Kaggle cannot cancel a
/// session: <see cref="StopAsync"/> only forgets it.
/// </summary>
public sealed partial class KaggleBackend : IComputeBackend, IAttemptRecovery, IDisposable
{
    /// <summary>Handle key of an attempt whose push Kaggle accepted without some inputs (the kernel was deleted again).</summary>
    public const string RefusedKey = "refused";
    /// <summary>Handle key of the session timeout the kernel was pushed with, in seconds.</summary>
    public const string TimeoutKey = "timeoutSeconds";

    private readonly IReadOnlyList<KaggleClient> _clients;
    private readonly KaggleBackendOptions _options;
    private readonly TimeProvider _time;
    private readonly IKaggleLog _log;
    private readonly DatasetPublisher _datasets;
    private readonly KernelPusher _pusher;
    private readonly PinnedRuntimes _runtimes;
    private readonly ConcurrentDictionary<string, string> _active = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _placing = new(1, 1);

    public KaggleBackend(IReadOnlyList<KaggleClient> clients, KaggleBackendOptions options, TimeProvider time, IKaggleLog log)
    {
        if (clients.Count == 0)
            throw new ArgumentException("the kaggle backend needs at least one account", nameof(clients));
        _clients = clients;
        _options = options;
        _time = time;
        _log = log;
        _datasets = new DatasetPublisher(options, time, log);
        _pusher = new KernelPusher(options, time, log);
        _runtimes = new PinnedRuntimes(options, log);
    }

    public string Name => "kaggle";

    /// <summary>Deletes the local zips its uploads were packed into.</summary>
    public void Dispose() => _datasets.Dispose();

    /// <summary>The accounts' pinned CUDA runtime kernels (rung b of the launcher's device ladder).</summary>
    public PinnedRuntimes Runtimes => _runtimes;

    /// <summary>The account's client by name (for the runtime and probe commands).</summary>
    public KaggleClient ClientFor(string account) =>
        _clients.FirstOrDefault(c => c.Account.Name == account) ?? throw new KaggleException($"account {account} is not configured");

    /// <summary>Stored inputs are keyed by their manifest in memory and fetched only when an account lacks their dataset.</summary>
    public bool FetchesSourcesOnDemand(string? compute) => true;
    /// <summary>The configured accounts, by name (what a scheduler places on).</summary>
    public IReadOnlyList<string> Accounts => _clients.Select(c => c.Account.Name).ToList();

    /// <summary>An account's accelerator quota as Kaggle reports it (GetAcceleratorQuotaStatistics), for a scheduler's quota source.</summary>
    public Task<AcceleratorQuotaStatistics> QuotaAsync(string account, CancellationToken cancellationToken) =>
        (_clients.FirstOrDefault(c => c.Account.Name == account) ?? throw new KaggleException($"account {account} is not configured"))
            .GetAcceleratorQuotaStatisticsAsync(cancellationToken);
    public int Slots => _clients.Count * _options.GpuSessionsPerAccount;
    /// <summary>Bytes of kernel sources uploaded by this backend so far (0 when every dataset was reused).</summary>
    public long BytesUploaded => _datasets.BytesUploaded;

    public async Task<AttemptHandle> SubmitAsync(KernelPackage package, CancellationToken cancellationToken)
    {
        await _placing.WaitAsync(cancellationToken);
        try
        {
            var refusals = new List<string>();
            var owners = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var client in await CandidatesAsync(package, refusals, cancellationToken))
            {
                var owner = await client.GetUsernameAsync(cancellationToken);
                var slugs = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var source in package.Sources)
                    slugs[source.Mount] = source.Competition ?? await _datasets.EnsureAsync(client, owner, source, cancellationToken);
                var runtime = package.Accelerator == "gpu" && LibtorchOf(package) is { } libtorch
                    ? await _runtimes.ReadyAsync(client, owner, libtorch, cancellationToken)
                    : null;
                KernelPusher.Pushed pushed;
                try
                {
                    pushed = await _pusher.PushAsync(client, owner, package, slugs, runtime, cancellationToken);
                }
                catch (KaggleSessionLimitException error)
                {
                    // Kaggle counts sessions SteelCI does not hold: the owner's own notebooks (kaggle-api.md §8, the cap).
                    var ours = _active.Values.Count(a => a == client.Account.Name);
                    var cap = package.Accelerator == "gpu" ? _options.GpuSessionsPerAccount : PlatformRules.CpuSessionsPerAccount;
                    if (ours < cap)
                        owners[client.Account.Name] = cap - ours;
                    refusals.Add(ours < cap ? $"account {client.Account.Name}: its owner is using {cap - ours} of its {cap} sessions ({error.Message})" : error.Message);
                    continue;
                }
                if (pushed.Refused is { } refused)
                    return Handle(package.Slug, client, pushed, refused);
                _active[package.Slug] = client.Account.Name;
                _log.Info($"account {client.Account.Name}: pushed {pushed.Owner}/{pushed.Slug} version {pushed.Version}");
                return Handle(package.Slug, client, pushed, timeout: _pusher.TimeoutFor(package));
            }
            throw new KaggleSessionLimitException($"no Kaggle account can take {package.Slug} now: {string.Join("; ", refusals)}") { OwnerSessions = owners };
        }
        finally
        {
            _placing.Release();
        }
    }

    private AttemptHandle Handle(string slug, KaggleClient client, KernelPusher.Pushed pushed, string? refused = null, TimeSpan? timeout = null)
    {
        var data = new Dictionary<string, string>
        {
            ["account"] = client.Account.Name,
            ["owner"] = pushed.Owner,
            ["kernel"] = pushed.Slug,
            ["version"] = pushed.Version.ToString(CultureInfo.InvariantCulture),
            ["pushedUtc"] = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        };
        if (refused is not null)
            data[RefusedKey] = refused;
        if (timeout is { } limit)
            data[TimeoutKey] = ((long)limit.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return new AttemptHandle(slug, data);
    }

    public async Task<AttemptStatus> PollAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        if (handle.Data.GetValueOrDefault(RefusedKey) is { } refused)
            return new AttemptStatus(AttemptState.Error, refused);
        var client = ClientOf(handle);
        if (client is null)
            return new AttemptStatus(AttemptState.Lost, $"account {handle.Data["account"]} is no longer configured");
        _active.TryAdd(handle.Slug, client.Account.Name);
        KernelSessionStatus status;
        try
        {
            status = await client.GetKernelSessionStatusAsync(handle.Data["owner"], handle.Data["kernel"], Version(handle), cancellationToken);
        }
        catch (KaggleNotFoundException error)
        {
            var pushed = DateTimeOffset.Parse(handle.Data["pushedUtc"], CultureInfo.InvariantCulture);
            if (_time.GetUtcNow() - pushed < _options.NotVisibleGrace)
                return new AttemptStatus(AttemptState.Queued, "not visible yet");
            _active.TryRemove(handle.Slug, out _);
            return new AttemptStatus(AttemptState.Lost, error.Message);
        }
        var result = status.Status switch
        {
            KernelWorkerStatus.Queued or KernelWorkerStatus.NewScript => new AttemptStatus(AttemptState.Queued),
            KernelWorkerStatus.Running or KernelWorkerStatus.CancelRequested => new AttemptStatus(AttemptState.Running),
            KernelWorkerStatus.Complete => new AttemptStatus(AttemptState.Complete),
            KernelWorkerStatus.CancelAcknowledged => new AttemptStatus(AttemptState.Error, "the session was cancelled on Kaggle"),
            _ when EndedAtTimeout(handle) is { } timeout => new AttemptStatus(AttemptState.Lost,
                $"the session ended at its timeout of {timeout.TotalHours:0.##} h without the trainer's end (Kaggle: " +
                $"{status.FailureMessage ?? "ERROR"}); its files are lost and the chunk is redone from the last checkpoint"),
            _ => new AttemptStatus(AttemptState.Error, status.FailureMessage ?? "Kaggle reported ERROR without a message"),
        };
        if (result.IsFinished)
            _active.TryRemove(handle.Slug, out _);
        return result;
    }

    /// <summary>
    /// The session timeout, when an ERROR comes at least that long after the push: Kaggle ended the session there
    /// (a hung or overrunning trainer), which is lost work to redo from the last checkpoint, not the code's failure.
    /// Told by time rather than by the failure message, whose wording is not documented.
    /// </summary>
    private TimeSpan? EndedAtTimeout(AttemptHandle handle)
    {
        if (!handle.Data.TryGetValue(TimeoutKey, out var seconds) || !handle.Data.TryGetValue("pushedUtc", out var pushedText))
            return null;
        var timeout = TimeSpan.FromSeconds(long.Parse(seconds, CultureInfo.InvariantCulture));
        var pushed = DateTimeOffset.Parse(pushedText, CultureInfo.InvariantCulture);
        return _time.GetUtcNow() - pushed >= timeout ? timeout : null;
    }

    public async Task<CollectedOutput> CollectAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        var root = Path.Combine(_options.Workspace, "kaggle", "outputs", handle.Slug);
        var working = Directory.CreateDirectory(Path.Combine(root, "working")).FullName;
        if (handle.Data.GetValueOrDefault(RefusedKey) is { } refused)
        {
            // Nothing ran: the log is the reason, ended by a failed marker so the runner reports that reason.
            var marker = TrainerContract.EndMarker("failed", null);
            await File.WriteAllTextAsync(Path.Combine(root, "log.txt"), refused + "\n" + marker + "\n", cancellationToken);
            return new CollectedOutput(working, marker + "\n");
        }
        var client = ClientOf(handle) ?? throw new KaggleException($"account {handle.Data["account"]} is no longer configured");
        var output = await client.ListKernelSessionOutputAsync(handle.Data["owner"], handle.Data["kernel"], Version(handle),
            cancellationToken, _options.OutputPageSize);
        var downloader = new OutputDownloader(client);
        long bytes = 0;
        foreach (var file in output.Files)
        {
            var target = Path.GetFullPath(Path.Combine(working, file.FileName));
            if (!target.StartsWith(working + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new KaggleException($"output file name '{file.FileName}' of {handle.Slug} leaves the output folder; refused");
            if (File.Exists(target))
                continue; // renamed into place only once complete and checked
            bytes += await downloader.DownloadAsync(file.Url, target, cancellationToken);
        }
        var log = KernelLog.ToText(output.Log);
        await File.WriteAllTextAsync(Path.Combine(root, "log.txt"), log, cancellationToken);
        _log.Info($"{handle.Slug}: collected {output.Files.Count} files ({bytes:N0} bytes downloaded)");
        return new CollectedOutput(working, log);
    }

    public Task StopAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        _active.TryRemove(handle.Slug, out _);
        _log.Warn($"{handle.Data.GetValueOrDefault("owner")}/{handle.Data.GetValueOrDefault("kernel")} version {handle.Data.GetValueOrDefault("version")}: " +
            "Kaggle cannot cancel a running session from the API; it runs until it ends or reaches its session timeout " +
            "(stop it by hand at https://www.kaggle.com/code if the quota matters)");
        return Task.CompletedTask;
    }

    /// <summary>
    /// Accounts with a free session, most remaining GPU quota first; accounts short of hours are left out. A package
    /// with <see cref="KernelPackage.Account"/> set goes to that account only (its quota checked by the scheduler).
    /// </summary>
    private async Task<IReadOnlyList<KaggleClient>> CandidatesAsync(KernelPackage package, List<string> refusals, CancellationToken cancellationToken)
    {
        var gpu = package.Accelerator == "gpu";
        var ranked = new List<(KaggleClient Client, TimeSpan Remaining)>();
        var chosen = package.Account;
        if (chosen is not null && _clients.All(c => c.Account.Name != chosen))
            throw new KaggleException($"the scheduler placed {package.Slug} on account {chosen}, which is not configured");
        foreach (var client in _clients.Where(c => chosen is null || c.Account.Name == chosen))
        {
            var busy = _active.Values.Count(a => a == client.Account.Name);
            if (busy >= _options.GpuSessionsPerAccount)
            {
                refusals.Add($"account {client.Account.Name}: {busy} sessions running");
                continue;
            }
            if (!gpu || chosen is not null) // a scheduler that chose the account has done the quota accounting
            {
                ranked.Add((client, TimeSpan.MaxValue));
                continue;
            }
            var quota = (await client.GetAcceleratorQuotaStatisticsAsync(cancellationToken)).GpuQuota;
            if (quota is null)
            {
                refusals.Add($"account {client.Account.Name}: {AcceleratorQuotaStatistics.NoGpuAccess}; {AcceleratorQuotaStatistics.NoGpuAccessFix}");
                continue;
            }
            var remaining = quota.Remaining;
            var needed = package.SessionLimit < _options.MaxSession ? package.SessionLimit : _options.MaxSession;
            if (remaining - _options.GpuReserve < needed)
            {
                refusals.Add($"account {client.Account.Name}: {remaining.TotalHours:0.#} h of GPU quota left, reserve {_options.GpuReserve.TotalHours:0.#} h, a session may take {needed.TotalHours:0.#} h");
                continue;
            }
            ranked.Add((client, remaining));
        }
        return ranked.OrderByDescending(r => r.Remaining).Select(r => r.Client).ToList();
    }

    /// <summary>The libtorch version the package's trainer binds (its kernel spec), else the configured one (the probe).</summary>
    private string? LibtorchOf(KernelPackage package) =>
        (File.Exists(Path.Combine(package.Directory, Kernels.KernelSpec.FileName)) ? Kernels.KernelSpec.Read(package.Directory).Device.Libtorch : null)
        ?? _options.Libtorch;

    private KaggleClient? ClientOf(AttemptHandle handle) =>
        _clients.FirstOrDefault(c => c.Account.Name == handle.Data.GetValueOrDefault("account"));

    private static int Version(AttemptHandle handle) => int.Parse(handle.Data["version"], CultureInfo.InvariantCulture);
}
