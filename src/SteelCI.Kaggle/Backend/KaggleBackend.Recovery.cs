using System.Globalization;
using SteelCI.Kaggle.Api;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Backend;

/// <summary>Attempt recovery: kernels pushed by a runner that died before it recorded them are found and adopted.</summary>
public sealed partial class KaggleBackend
{
    /// <summary>
    /// The attempt pushed as <paramref name="slug"/> (on <paramref name="account"/> when known, else on any account),
    /// for a runner that died between SaveKernel and saving the handle: GetKernel, then the account's own kernels
    /// (ListKernels, group PROFILE), a few times <see cref="KaggleBackendOptions.PushCheckInterval"/> apart because a
    /// new kernel may not be visible at once. Null when no account has it (it was never pushed).
    /// </summary>
    public async Task<AttemptHandle?> FindAsync(string slug, string? account, CancellationToken cancellationToken)
    {
        var clients = _clients.Where(c => account is null || c.Account.Name == account).ToList();
        for (var check = 1; check <= _options.PushChecks; check++)
        {
            foreach (var client in clients)
            {
                var owner = await client.GetUsernameAsync(cancellationToken);
                if (await _pusher.FindAsync(client, owner, slug, cancellationToken, checks: 1) is not { } found)
                    continue;
                _active[slug] = client.Account.Name;
                _log.Info($"account {client.Account.Name}: adopted {found.Owner}/{found.Slug} version {found.Version} (pushed before the runner stopped)");
                return Handle(slug, client, found);
            }
            if (check < _options.PushChecks)
                await Task.Delay(_options.PushCheckInterval, _time, cancellationToken);
        }
        _log.Warn($"{slug}: no kernel of that slug on {(account is null ? "any account" : $"account {account}")}; it was never pushed");
        return null;
    }

    /// <summary>Pages of the account's own kernels read when a lost state is rebuilt (100 kernels a page).</summary>
    public const int MaxListPages = 10;

    /// <summary>
    /// For a state lost altogether: every account's own kernels (ListKernels, group PROFILE, newest first) whose slug
    /// <paramref name="isOurs"/> accepts and whose current version is still queued or running, as handles (pushedUtc =
    /// the kernel's last run time when Kaggle gives it).
    /// </summary>
    public async Task<IReadOnlyList<AttemptHandle>> FindActiveAsync(Func<string, bool> isOurs, CancellationToken cancellationToken)
    {
        var found = new List<AttemptHandle>();
        foreach (var client in _clients)
        {
            var owner = await client.GetUsernameAsync(cancellationToken);
            string? token = null;
            for (var page = 1; page <= MaxListPages; page++)
            {
                var listed = await client.ListKernelsAsync(new ListKernelsRequest
                {
                    Group = "PROFILE", SortBy = "DATE_CREATED", PageSize = 100, PageToken = token,
                }, cancellationToken);
                foreach (var kernel in listed.Kernels ?? [])
                {
                    var slug = kernel.Slug ?? kernel.Ref?.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
                    if (slug is null || !isOurs(slug) || found.Any(f => f.Slug == slug))
                        continue;
                    var version = kernel.CurrentVersionNumber ?? 1;
                    KernelWorkerStatus status;
                    try
                    {
                        status = (await client.GetKernelSessionStatusAsync(owner, slug, version, cancellationToken)).Status;
                    }
                    catch (KaggleNotFoundException)
                    {
                        status = KernelWorkerStatus.Queued; // listed, so it exists: a new kernel 403s for a while
                    }
                    if (status is not (KernelWorkerStatus.Queued or KernelWorkerStatus.NewScript or KernelWorkerStatus.Running))
                        continue;
                    _active[slug] = client.Account.Name;
                    _log.Info($"account {client.Account.Name}: adopted {owner}/{slug} version {version} ({status}; the state that knew it was lost)");
                    var handle = Handle(slug, client, new KernelPusher.Pushed(owner, slug, version, ""));
                    if (kernel.LastRunTime is { } ran)
                        handle = handle with { Data = new Dictionary<string, string>(handle.Data) { ["pushedUtc"] = ran.ToString("O", CultureInfo.InvariantCulture) } };
                    found.Add(handle);
                }
                token = string.IsNullOrEmpty(listed.NextPageToken) ? null : listed.NextPageToken;
                if (token is null || (listed.Kernels?.Count ?? 0) == 0)
                    break;
            }
        }
        return found;
    }
}
